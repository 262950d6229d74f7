-- source: AMC instructional query library, "Path to conversion by audience segment" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  behavior_segment_name,
  behavior_segment_id
FROM
  dsp_impressions_by_user_segments
GROUP BY
  1,
  2
