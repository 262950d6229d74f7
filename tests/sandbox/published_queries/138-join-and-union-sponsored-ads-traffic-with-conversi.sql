-- source: AMC instructional query library, "JOIN and UNION sponsored ads traffic with conversions" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
    event_id,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks
  FROM
    sponsored_ads_traffic
  WHERE
      ad_product_type in (select ad_product_type from ad_products)
  GROUP BY
    1,
    2,
    3,
    4
)
,
attributed_events AS (
  SELECT
    campaign,
    campaign_id_string,
    ad_product_type,
    traffic_event_id,
    SUM(purchases) AS purchases,
    SUM(new_to_brand_purchases) AS new_to_brand_purchases
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    ad_product_type in (select ad_product_type from ad_products)
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  COALESCE(t.campaign, a.campaign) AS campaign,
  COALESCE(t.campaign_id_string, a.campaign_id_string) AS campaign_id_string,
  COALESCE(t.ad_product_type, a.ad_product_type) AS ad_product_type,
  COALESCE(SUM(impressions), 0) AS impressions,
  COALESCE(SUM(clicks), 0) AS clicks,
  COALESCE(SUM(purchases), 0) AS purchases,
  COALESCE(SUM(new_to_brand_purchases), 0) AS new_to_brand_purchases
FROM
  traffic t
  FULL OUTER JOIN attributed_events a ON event_id = traffic_event_id
GROUP BY
  1,2, 3
