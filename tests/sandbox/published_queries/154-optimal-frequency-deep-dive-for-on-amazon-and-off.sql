-- source: AMC instructional query library, "Optimal frequency deep dive for on-Amazon and off-Amazon conversions" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH
events AS
(
SELECT
    user_id,
    sum(impressions) AS impressions,
    0 AS clicks,
    sum(total_cost/100000) AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    dsp_impressions
    where user_id IS NOT NULL
    and
    (
     ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
     OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
     OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
     )
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    sum(clicks) AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    dsp_clicks
    where user_id IS NOT NULL
    and
    (
     ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
     OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
     OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
     )
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    sum(impressions) AS impressions,
    sum(clicks) AS clicks,
    sum(spend/100000000) AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    sponsored_ads_traffic
    where user_id IS NOT NULL
    and
    (
  ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
  OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
  OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
 )
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    sum(total_detail_page_view) AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    sum(detail_page_view) AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
    (
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    OR
       (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
       )
    )
    and total_detail_page_view >0
   GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    sum(total_add_to_cart) AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    sum(add_to_cart) AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
    (
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    OR
       (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
       )
    )
    and total_add_to_cart>0
  GROUP BY
    1
 UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    sum(total_purchases) AS total_purchases,
    sum(total_units_sold) AS total_units_sold,
    sum(total_product_sales) AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    sum(purchases) AS purchases,
    sum(units_sold) AS units_sold,
    sum(product_sales) AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
    (
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    OR
       (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
       )
    )
    and total_purchases>0
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    sum(new_to_brand_total_purchases) AS new_to_brand_total_purchases,
    sum(new_to_brand_total_units_sold) AS new_to_brand_total_units_sold,
    sum(new_to_brand_total_product_sales) AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    sum(new_to_brand_purchases) AS new_to_brand_purchases,
    sum(new_to_brand_units_sold) AS new_to_brand_units_sold,
    sum(new_to_brand_product_sales) AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
    (
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    OR
       (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
       )
    )
    and total_purchases>0
    and new_to_brand = TRUE
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    sum(conversions) AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and tracked_item SIMILAR TO '^keyword.*'
    and
    (
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    OR
       (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('sa_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('sa_campaign_ids')) = 0
       )
    )
    and conversions>0
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    sum(conversions) AS off_amazon_conversions,
    sum(off_amazon_conversion_value) AS off_amazon_conversion_value,
    sum(off_amazon_product_sales) AS off_amazon_product_sales,
    0 AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    and conversion_event_category IN ('off-Amazon')
    and conversions>0
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    sum(conversions) AS pixel_conversions,
    0 AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
    (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    and conversion_event_category IN ('pixel')
    and conversions>0
  GROUP BY
    1
UNION ALL
SELECT
    user_id,
    0 AS impressions,
    0 AS clicks,
    0 AS total_cost,
    0 AS total_detail_page_view,
    0 AS total_add_to_cart,
    0 AS total_purchases,
    0 AS total_units_sold,
    0 AS total_product_sales,
    0 AS new_to_brand_total_purchases,
    0 AS new_to_brand_total_units_sold,
    0 AS new_to_brand_total_product_sales,
    0 AS branded_searches,
    0 AS detail_page_view,
    0 AS add_to_cart,
    0 AS purchases,
    0 AS units_sold,
    0 AS product_sales,
    0 AS new_to_brand_purchases,
    0 AS new_to_brand_units_sold,
    0 AS new_to_brand_product_sales,
    0 AS off_amazon_conversions,
    0 AS off_amazon_conversion_value,
    0 AS off_amazon_product_sales,
    0 AS pixel_conversions,
    sum(digital_subscription_signup_purchases) AS digital_subscription_signup_purchases
FROM
    amazon_attributed_events_by_traffic_time
    where user_id IS NOT NULL
    and
      (
       ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaign_ids'), campaign_id_string)
       OR CUSTOM_PARAMETER('dsp_campaign_ids') IS NULL
       OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaign_ids')) = 0
       )
    and digital_subscription_signup_purchases>0
  GROUP BY
    1
),
events_by_user AS (
  SELECT
    user_id,
    IF(
      SUM(impressions) > 0,
      SUM(impressions),
      SUM(purchases)
    ) AS impressions,
    LEAST(
    CASE WHEN SUM(impressions) > 0
         THEN SUM(impressions)
         ELSE SUM(purchases)
    END,
    (CUSTOM_PARAMETER('frequency_cap'))) AS frequency_bucket,
    sum(clicks) AS clicks,
    sum(total_cost) AS total_cost,
    sum(total_detail_page_view) AS total_detail_page_view,
    sum(total_add_to_cart) AS total_add_to_cart,
    sum(total_purchases) AS total_purchases,
    sum(total_units_sold) AS total_units_sold,
    sum(total_product_sales) AS total_product_sales,
    sum(new_to_brand_total_purchases) AS new_to_brand_total_purchases,
    sum(new_to_brand_total_units_sold) AS new_to_brand_total_units_sold,
    sum(new_to_brand_total_product_sales) AS new_to_brand_total_product_sales,
    sum(branded_searches) AS branded_searches,
    sum(detail_page_view) AS detail_page_view,
    sum(add_to_cart) AS add_to_cart,
    sum(purchases) AS purchases,
    sum(units_sold) AS units_sold,
    sum(product_sales) AS product_sales,
    sum(new_to_brand_purchases) AS new_to_brand_purchases,
    sum(new_to_brand_units_sold) AS new_to_brand_units_sold,
    sum(new_to_brand_product_sales) AS new_to_brand_product_sales,
    sum(off_amazon_conversions) AS off_amazon_conversions,
    sum(off_amazon_conversion_value) AS off_amazon_conversion_value,
    sum(off_amazon_product_sales) AS off_amazon_product_sales,
    sum(pixel_conversions) AS pixel_conversions,
    sum(digital_subscription_signup_purchases) AS digital_subscription_signup_purchases
  FROM
    events
  GROUP BY
    user_id
)
SELECT
    CONCAT(
    frequency_bucket,
    CASE WHEN frequency_bucket = (CUSTOM_PARAMETER('frequency_cap')) THEN '+' ELSE '' END
    ) AS frequency_bucket,
    count(distinct user_id) as reach,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS cost,
    SUM(clicks) AS clicks,
    (100.0 * SUM(clicks)/SUM(impressions)) AS click_through_rate,
    SUM(branded_searches) AS branded_searches,
    (100.0 * SUM(branded_searches)/SUM(impressions)) AS branded_search_rate,
    SUM(detail_page_view) AS detail_page_views,
    (100.0 * SUM(detail_page_view)/SUM(impressions)) AS detail_page_view_rate,
    SUM(add_to_cart) AS add_to_carts,
    (100.0 * SUM(add_to_cart)/SUM(impressions)) AS add_to_cart_rate,
    SUM(purchases) AS purchases,
    (100.0 * SUM(purchases)/SUM(impressions)) AS purchase_rate,
    SUM(new_to_brand_purchases) AS new_to_brand_purchases,
    (100.0 * SUM(new_to_brand_purchases)/SUM(impressions)) AS new_to_brand_purchase_rate,
    SUM(off_amazon_conversions) as off_amazon_conversions,
    (100.0 * SUM(off_amazon_conversions)/SUM(impressions)) AS off_amazon_conversion_rate,
    SUM(pixel_conversions) as pixel_conversions,
    (100.0 * SUM(pixel_conversions)/SUM(impressions)) AS pixel_conversion_rate,
    SUM(digital_subscription_signup_purchases) AS digital_subscription_signup_purchases,
    (100.0 * SUM(digital_subscription_signup_purchases)/SUM(impressions)) AS digital_subscription_signup_purchase_rate,
    SUM(units_sold) AS units_sold,
    SUM(product_sales) AS product_sales,
    SUM(new_to_brand_units_sold) AS new_to_brand_units_sold,
    SUM(new_to_brand_product_sales) AS new_to_brand_product_sales,
    SUM(off_amazon_conversion_value) as off_amazon_conversion_value,
    SUM(off_amazon_product_sales) as off_amazon_product_sales,
    SUM(total_detail_page_view) AS total_detail_page_view,
    SUM(total_add_to_cart) AS total_add_to_cart,
    SUM(total_purchases) AS total_purchases,
    SUM(total_units_sold) AS total_units_sold,
    SUM(total_product_sales) AS total_product_sales,
    SUM(new_to_brand_total_purchases) AS new_to_brand_total_purchases,
    SUM(new_to_brand_total_units_sold) AS new_to_brand_total_units_sold,
    SUM(new_to_brand_total_product_sales) AS new_to_brand_total_product_sales
FROM
    events_by_user
    WHERE
        frequency_bucket <> 0
        GROUP BY
        frequency_bucket
