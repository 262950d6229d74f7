-- source: AMC instructional query library, "How to filter by ad product type" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  ad_product_type,
  placement_type,
  SUM(impressions) AS impressions
FROM
  sponsored_ads_traffic
WHERE
  ad_product_type = 'sponsored_products'
AND
   placement_type = 'Off Amazon'
GROUP BY
  1,
  2,
  3,
  4
