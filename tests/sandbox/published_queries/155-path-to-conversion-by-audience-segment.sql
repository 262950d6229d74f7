-- source: AMC instructional query library, "Path to conversion by audience segment" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
GROUP BY
  1,
  2
