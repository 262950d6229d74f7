-- source: AMC instructional query library, "Compare customer value with extended lookback window" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH
dsp (campaign_id_strings) AS (
  VALUES
(11111111111),
(22222222222),
(33333333333)
),
tracked_ASIN (tracked_ASIN) AS (
  VALUES
('ASIN1111'),
('ASIN2222')
),
exposed AS (
SELECT
    user_id
    , MIN(impression_dt_utc) AS impression_dt_utc_first
    , SUM(impressions) AS impressions
FROM dsp_impressions
WHERE
    user_id IS NOT NULL
    AND campaign_id IN (SELECT campaign_id_strings FROM dsp)
    AND impressions > 0
GROUP BY 1
),
attributed_14days_purchases AS (
SELECT
    user_id
    , new_to_brand
    , SUM(product_sales) AS product_sales
    , SUM(units_sold) AS units_sold
FROM amazon_attributed_events_by_conversion_time
WHERE
    (
        campaign_id IN (SELECT campaign_id_strings FROM dsp)
        )
    AND purchases > 0
    AND tracked_ASIN IN (SELECT tracked_ASIN FROM tracked_ASIN)
    AND user_id IS NOT NULL
GROUP BY 1,2
),
extended_purchases_all AS (
SELECT
    a.user_id
    , a.event_date_utc
    , CASE WHEN a.new_to_brand = TRUE THEN 1 ELSE 0 END AS ntb_cust
    , CASE WHEN a.new_to_brand = FALSE THEN 1 ELSE 0 END AS existing_cust
    , CASE WHEN (a.new_to_brand = TRUE AND COUNT(a.conversion_id) OVER (PARTITION BY a.user_id) = 1) THEN 1 ELSE 0 END AS ntb_oneoff_cust
    , CASE WHEN (a.new_to_brand = FALSE AND a.event_date_utc > MIN(CASE WHEN a.new_to_brand = TRUE THEN a.event_date_utc END) OVER (PARTITION BY a.user_id)) THEN 1 ELSE 0 END AS ntb_repeat_cust
    , CASE WHEN (a.new_to_brand = FALSE AND COUNT(a.conversion_id) OVER (PARTITION BY a.user_id) = 1
                                          AND COUNT(CASE WHEN a.new_to_brand = TRUE THEN 1 END) OVER (PARTITION BY a.user_id) = 0)
           THEN 1 ELSE 0 END AS existing_oneoff_cust
    , CASE WHEN (a.new_to_brand = FALSE AND a.event_date_utc > MIN(CASE WHEN a.new_to_brand = FALSE THEN a.event_date_utc END) OVER (PARTITION BY a.user_id)) THEN 1 ELSE 0 END AS existing_repeat_cust
    , SUM(a.total_units_sold) AS total_units_sold
    , SUM(a.total_product_sales) AS total_product_sales
    , SUM(CASE WHEN a.new_to_brand = True then a.total_units_sold else 0 end) AS ntb_total_units_sold
    , SUM(CASE WHEN a.new_to_brand = True then a.total_product_sales else 0 end) AS ntb_total_product_sales
FROM
    TABLE(
      EXTEND_TIME_WINDOW('conversions_all', 'P0D', 'P60D')
    ) a
    LEFT JOIN exposed b ON a.user_id = b.user_id
WHERE
    a.user_id IS NOT NULL
    AND b.impression_dt_utc_first IS NOT NULL
    AND b.impression_dt_utc_first <= a.event_date_utc
    AND a.event_type_description IN ('Product purchased')
    AND a.total_units_sold IS NOT null
    AND a.tracked_ASIN IN (SELECT tracked_ASIN FROM tracked_ASIN)
GROUP BY 1,2,3,4,5,6,7,8
)
SELECT
    '14days_attributed' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , sum(product_sales) AS total_product_sales
    , sum(units_sold) AS total_units_sold
    , sum(product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM attributed_14days_purchases
WHERE user_id IS NOT NULL
    AND units_sold > 0
UNION ALL
SELECT
    '14days_attributed_ntb' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , sum(product_sales) AS total_product_sales
    , sum(units_sold) AS total_units_sold
    , sum(product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM attributed_14days_purchases
WHERE user_id IS NOT NULL
    AND units_sold > 0
    AND new_to_brand = TRUE
UNION ALL
SELECT
    '14days_attributed_existing' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , sum(product_sales) AS total_product_sales
    , sum(units_sold) AS total_units_sold
    , sum(product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM attributed_14days_purchases
WHERE user_id IS NOT NULL
    AND units_sold > 0
    AND new_to_brand = FALSE
UNION ALL
SELECT
    'extended_all' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , sum(total_product_sales) AS total_product_sales
    , sum(total_units_sold) AS total_units_sold
    , sum(total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
UNION ALL
SELECT
    'ntb' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , sum(ntb_total_product_sales) AS total_product_sales
    , sum(ntb_total_units_sold) AS total_units_sold
    , sum(ntb_total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(ntb_total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND ntb_cust = 1
UNION ALL
SELECT
    'ntb_oneoff' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , SUM(ntb_total_product_sales) AS total_product_sales
    , SUM(ntb_total_units_sold) AS total_units_sold
    , sum(ntb_total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(ntb_total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND ntb_oneoff_cust = 1
UNION ALL
SELECT
    'ntb_repeat' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , SUM(total_product_sales) AS total_product_sales
    , SUM(total_units_sold) AS total_units_sold
    , SUM(total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND ntb_repeat_cust = 1
UNION ALL
SELECT
    'existing' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , SUM(total_product_sales) AS total_product_sales
    , SUM(total_units_sold) AS total_units_sold
    , SUM(total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND existing_cust = 1
UNION ALL
SELECT
    'existing_oneoff' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , SUM(total_product_sales) AS total_product_sales
    , SUM(total_units_sold) AS total_units_sold
    , SUM(total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND existing_oneoff_cust = 1
UNION ALL
SELECT
    'existing_repeat' AS segment_group
    , COUNT(DISTINCT user_id) AS total_users
    , SUM(total_product_sales) AS total_product_sales
    , SUM(total_units_sold) AS total_units_sold
    , SUM(total_product_sales) / COUNT(DISTINCT user_id) AS sales_per_user
    , sum(total_units_sold) / COUNT(DISTINCT user_id) AS units_per_user
FROM extended_purchases_all
WHERE user_id IS NOT NULL
    AND existing_repeat_cust = 1
