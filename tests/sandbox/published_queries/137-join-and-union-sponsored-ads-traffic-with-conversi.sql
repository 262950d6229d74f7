-- source: AMC instructional query library, "JOIN and UNION sponsored ads traffic with conversions" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH ad_products (ad_product_type) AS (
  VALUES
    ('sponsored_products'),
    ('sponsored_brands'),
    ('sponsored_display'),
    ('sponsored_television')
),
traffic AS (
  SELECT
    campaign,
    campaign_id_string,
    ad_product_type,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    0 AS purchases,
    0 AS new_to_brand_purchases
  FROM
    sponsored_ads_traffic
  WHERE
    ad_product_type in (select ad_product_type from ad_products)
  GROUP BY
    1,
    2,
    3
),
attributed_events AS (
  SELECT
    campaign,
    campaign_id_string,
    ad_product_type,
    0 AS impressions,
    0 AS clicks,
    SUM(purchases) AS purchases,
    SUM(new_to_brand_purchases) AS new_to_brand_purchases
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    ad_product_type in (select ad_product_type from ad_products)
  GROUP BY
    1,
    2,
    3
),
combined AS (
  SELECT
    campaign,
    campaign_id_string,
    ad_product_type,
    impressions,
    clicks,
    purchases,
    new_to_brand_purchases
  FROM
    traffic
  UNION ALL
  SELECT
    campaign,
    campaign_id_string,
    ad_product_type,
    impressions,
    clicks,
    purchases,
    new_to_brand_purchases
  FROM
    attributed_events
)
SELECT
  campaign,
  campaign_id_string,
  ad_product_type,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(purchases) AS purchases,
  SUM(new_to_brand_purchases) AS new_to_brand_purchases
FROM
  combined
GROUP BY
  1,
  2,
  3
