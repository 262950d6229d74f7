-- source: AMC instructional query library, "How to filter by ad product type" (query 10 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  line_item,
  line_item_id,
  line_item_type,
  supply_source,
  device_type,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
WHERE
  line_item_type = 'AAP_VIDEO_CPM'
  AND (
    line_item SIMILAR TO 'OTT'
    OR campaign SIMILAR TO 'OTT'
    OR line_item SIMILAR TO '(?i)streaming'
    OR campaign SIMILAR TO '(?i)streaming'
    OR line_item SIMILAR TO 'STV'
    OR campaign SIMILAR TO 'STV'
  )
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6,
  7
