-- source: AMC instructional query library, "Compare customer value with extended lookback window" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH all_conversions AS (
SELECT
    user_id
    , event_dt_utc
    , SUM(total_product_sales) AS product_sales
    , SUM(conversions) AS conversions
FROM conversions_all
WHERE
    conversions > 0
    AND user_id IS NOT NULL
    AND event_type_description IN ('Product purchased')
    AND tracked_asin IN ('ASIN1111','ASIN2222','ASIN3333')
GROUP BY
    user_id
    , event_dt_utc
),
conversions AS (
SELECT
    user_id
    , CASE WHEN SUM(conversions) > 1 THEN 1 ELSE 0 END AS repeat_purchasers
    , SUM(conversions) AS conversions
FROM
    all_conversions
GROUP BY
    user_id
),
repeat_conversions AS (
SELECT
    user_id
    , event_dt_utc
    , RANK() OVER (PARTITION BY user_id ORDER BY event_dt_utc) AS purchase_rank
FROM all_conversions
WHERE user_id IN (
    SELECT user_id FROM conversions WHERE repeat_purchasers = 1
    )
),
customer_conversions AS (
SELECT
    a.user_id
   , SECONDS_BETWEEN(a.event_dt_utc, b.event_dt_utc) AS time_between_purchases
FROM repeat_conversions a
    JOIN repeat_conversions b
        ON a.user_id = b.user_id
            AND a.purchase_rank = b.purchase_rank - 1
GROUP BY 1,2),
final AS (
SELECT
 CASE
    WHEN time_between_purchases <= 86400 THEN '1 | < 1 day'
    WHEN time_between_purchases <= 259200 THEN '2 | 1 - 3 days'
    WHEN time_between_purchases <= 432000 THEN '3 | 3 - 5 days'
    WHEN time_between_purchases <= 864000 THEN '4 | 5 - 10 days'
    WHEN time_between_purchases <= 1296000 THEN '5 | 10 - 15 days'
    WHEN time_between_purchases <= 1728000 THEN '6 | 15 - 20 days'
    WHEN time_between_purchases <= 2160000 THEN '7 | 20 - 25 days'
    WHEN time_between_purchases <= 2592000 THEN '8 | 25 - 30 days'
    WHEN time_between_purchases <= 3024000 THEN '9 | 30 - 35 days'
    WHEN time_between_purchases <= 3456000 THEN '10 | 35 - 40 days'
    WHEN time_between_purchases <= 3888000 THEN '11 | 40 - 45 days'
    WHEN time_between_purchases <= 4320000 THEN '12 | 45 - 50 days'
    WHEN time_between_purchases <= 4752000 THEN '13 | 50 - 55 days'
    WHEN time_between_purchases <= 5184000 THEN '14 | 55 - 60 days'
    WHEN time_between_purchases <= 7776000 THEN '15 | 60 - 90 days'
    WHEN time_between_purchases <= 10368000 THEN '16 | 90 - 120 days'
    WHEN time_between_purchases <= 12960000 THEN '17 | 120 - 150 days'
    WHEN time_between_purchases <= 15552000 THEN '18 | 150 - 180 days'
    ELSE '19 | 180+ days'
    END AS time_between_purchases
    , COUNT(distinct user_id) AS unique_user_count
FROM customer_conversions
WHERE time_between_purchases >= 0
GROUP BY time_between_purchases
)
SELECT
  time_between_purchases,
  SUM(unique_user_count) AS unique_user_count,
  (
    SUM(unique_user_count) / (
      SELECT
        SUM(unique_user_count)
      FROM
        final
    )
  ) * 100 AS purchase_percent
FROM
  final
GROUP BY time_between_purchases
