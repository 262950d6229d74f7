-- source: AMC instructional query library, "How to filter by ad product type" (query 22 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  behavior_segment_name AS segment_name,
  behavior_segment_id,
  SUM(impressions) AS impressions
FROM
  dsp_impressions_by_user_segments
WHERE
  behavior_segment_name SIMILAR TO '(?i)twitch'
GROUP BY
  1,
  2,
  3,
  4
