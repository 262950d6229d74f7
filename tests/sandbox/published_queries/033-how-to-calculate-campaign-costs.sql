-- source: AMC instructional query library, "How to calculate campaign costs" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  ad_product_type,
  CONCAT ('cid_', campaign_id_string) AS campaign_id,
  campaign,
  line_item_price_type AS price_type,
  currency_iso_code,
  currency_name,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(viewable_impressions) AS viewable_impressions,
  SUM(spend / 100000000) AS spend,
  (SUM(spend / 100000000) / SUM(clicks)) AS cost_per_click
FROM
  sponsored_ads_traffic
WHERE
  line_item_price_type = 'CPC'
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6
