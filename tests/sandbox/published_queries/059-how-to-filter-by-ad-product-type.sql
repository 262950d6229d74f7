-- source: AMC instructional query library, "How to filter by ad product type" (query 25 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  supply_source
FROM
  dsp_impressions
WHERE
  supply_source = 'Prime Video ads'
GROUP BY
  1,
  2,
  3
