-- source: AMC instructional query library, "Off-Amazon conversion path by ad product exposure" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS total_impressions
FROM
   dsp_impressions
 GROUP BY
   1,
   2,
   3,
   4
