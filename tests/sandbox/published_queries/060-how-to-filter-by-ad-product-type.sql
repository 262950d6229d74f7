-- source: AMC instructional query library, "How to filter by ad product type" (query 26 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  supply_source,
  supply_source_id
FROM
  dsp_impressions
WHERE
  supply_source_id = 702
GROUP BY
  1,
  2,
  3,
  4
