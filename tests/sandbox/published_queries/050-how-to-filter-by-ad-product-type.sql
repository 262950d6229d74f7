-- source: AMC instructional query library, "How to filter by ad product type" (query 16 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  line_item,
  line_item_id,
  line_item_type,
  site,
  supply_source,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
WHERE
  supply_source SIMILAR TO '(?i)audio'
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6,
  7
