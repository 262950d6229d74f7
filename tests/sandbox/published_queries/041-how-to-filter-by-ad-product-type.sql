-- source: AMC instructional query library, "How to filter by ad product type" (query 7 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  event_date,
  campaign_id_string,
  campaign,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(spend) AS spend
FROM
  sponsored_ads_traffic
WHERE
  ad_product_type = 'sponsored_television' and
  (
      CUSTOM_PARAMETER('campaign_id') IS NULL
      OR CARDINALITY(CUSTOM_PARAMETER('campaign_id')) = 0
      OR ARRAY_CONTAINS(CUSTOM_PARAMETER('campaign_id'), campaign_id_string)
  )
GROUP BY
  1,
  2,
  3
