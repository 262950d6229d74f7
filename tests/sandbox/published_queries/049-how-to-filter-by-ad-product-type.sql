-- source: AMC instructional query library, "How to filter by ad product type" (query 15 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  line_item,
  line_item_id,
  line_item_type,
  site,
  device_type,
  supply_source,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
WHERE
    line_item_type IN ('AAP', 'CLASS_I_WEB')
AND
    device_type = 'PC'
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8
