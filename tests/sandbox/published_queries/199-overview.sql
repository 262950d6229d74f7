-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/datasources/overview (example 4)
WITH
traffic_and_conversion_events AS
(
SELECT
advertiser
, campaign
, 0 AS impressions
, 0 AS clicks        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 7, total_purchases, 0) AS total_purchases_7d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_purchases, 0) AS total_purchases_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, purchases, 0) AS purchases_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_product_sales, 0) AS total_product_sales_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_units_sold, 0) AS total_units_sold_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, brand_halo_units_sold, 0) AS brand_halo_units_sold_14d
    FROM
        amazon_attributed_events_by_traffic_time
    WHERE
        ad_product_type = 'sponsored_products'
    UNION ALL
    SELECT
        advertiser
        , campaign
        , impressions
        , clicks
        , 0 AS total_purchases_7d
        , 0 AS total_purchases_14d
        , 0 AS purchases_14d
        , 0 AS total_product_sales_14d
        , 0 AS total_units_sold_14d
        , 0 AS brand_halo_units_sold_14d
    FROM
        sponsored_products_traffic
)
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 7, total_purchases, 0) AS total_purchases_7d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_purchases, 0) AS total_purchases_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, purchases, 0) AS purchases_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_product_sales, 0) AS total_product_sales_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, total_units_sold, 0) AS total_units_sold_14d
        , IF(SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60*60*24 * 14, brand_halo_units_sold, 0) AS brand_halo_units_sold_14d
    FROM
        amazon_attributed_events_by_traffic_time
    WHERE
        ad_product_type = 'sponsored_products'
    UNION ALL
    SELECT
        advertiser
        , campaign
        , impressions
        , clicks
        , 0 AS total_purchases_7d
        , 0 AS total_purchases_14d
        , 0 AS purchases_14d
        , 0 AS total_product_sales_14d
        , 0 AS total_units_sold_14d
        , 0 AS brand_halo_units_sold_14d
    FROM
        sponsored_products_traffic
)
SELECT
advertiser
, campaign
, SUM(impressions) AS impressions
, SUM(clicks) AS clicks, SUM(total_purchases_7d) AS total_purchases_7d
, SUM(total_purchases_14d) AS total_purchases_14d
, SUM(purchases_14d) AS purchases_14d
, SUM(total_units_sold_14d) AS total_units_sold_14d
, SUM(brand_halo_units_sold_14d) AS brand_halo_units_sold_14d
, SUM(total_product_sales_14d) AS total_product_sales_14d
, SUM(total_purchases_7d) AS total_purchases_7d
, SUM(total_purchases_14d) AS total_purchases_14d
, SUM(purchases_14d) AS purchases_14d
, SUM(total_units_sold_14d) AS total_units_sold_14d
, SUM(brand_halo_units_sold_14d) AS brand_halo_units_sold_14d
, SUM(total_product_sales_14d) AS total_product_sales_14d
FROM
traffic_and_conversion_events
GROUP BY
advertiser, campaign
