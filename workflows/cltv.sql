-- Lifetime x value by ASIN (docs/segments.md §7).
-- One row per (customer, tracked_asin); ratios are against the average over those rows.
-- value_score is NULL for a customer with no ad cost, and AVG leaves such rows out.
WITH
--#include _customers.sql
asin_orders AS (
    SELECT
        user_id,
        tracked_asin,
        CAST(SUM(total_product_sales) AS DOUBLE) AS total_sales,
        SUM(total_units_sold) AS total_units_sold,
        SUM(conversions) AS conversion_frequency,
        SECONDS_BETWEEN(MIN(event_date_utc), MAX(event_date_utc)) / 86400 / 30 AS cust_lifetime,
        MAX(CASE WHEN new_to_brand THEN 1 ELSE 0 END) AS ntb_flag
    FROM {{conversions}}
    WHERE event_subtype = 'order'
        AND user_id IS NOT NULL
    GROUP BY user_id, tracked_asin
),
customer_asins AS (
    SELECT
        a.user_id,
        a.tracked_asin,
        a.total_sales,
        a.total_units_sold,
        a.conversion_frequency,
        a.cust_lifetime,
        c.dsp_spend,
        c.sponsored_spend,
        c.total_spend
    FROM asin_orders a
    INNER JOIN customers c
        ON c.user_id = a.user_id
--#if new_to_brand_only
    WHERE a.ntb_flag = 1
--#endif
),
asin_ratios AS (
    SELECT
        user_id,
        tracked_asin,
        total_sales,
        total_units_sold,
        dsp_spend,
        sponsored_spend,
        total_spend,
        conversion_frequency / NULLIF(AVG(conversion_frequency) OVER (), 0) AS purchase_frequency_ratio,
        total_units_sold / NULLIF(AVG(total_units_sold) OVER (), 0) AS purchase_quantity_ratio,
        cust_lifetime / NULLIF(AVG(cust_lifetime) OVER (), 0) AS user_lifetime_ratio,
        (total_sales - total_spend) / NULLIF(total_spend, 0) AS value_score
    FROM customer_asins
),
asin_scores AS (
    SELECT
        user_id,
        tracked_asin,
        total_sales,
        total_units_sold,
        dsp_spend,
        sponsored_spend,
        total_spend,
        purchase_frequency_ratio,
        purchase_quantity_ratio,
        user_lifetime_ratio,
        purchase_frequency_ratio * purchase_quantity_ratio * user_lifetime_ratio AS lifetime_score,
        value_score
    FROM asin_ratios
)
SELECT
    tracked_asin,
--#if new_to_brand_only
    COUNT(DISTINCT user_id) AS ntb_customers,
--#endif
    AVG(purchase_frequency_ratio) AS avg_purchase_frequency_ratio,
    AVG(purchase_quantity_ratio) AS avg_purchase_quantity_ratio,
    AVG(user_lifetime_ratio) AS avg_user_lifetime_ratio,
    AVG(total_sales) AS total_sales,
    SUM(total_units_sold) AS total_units_sold,
    SUM(dsp_spend) AS dsp_spend,
    SUM(sponsored_spend) AS sponsored_spend,
    AVG(total_spend) AS total_spend,
    AVG(lifetime_score) AS avg_lifetime_score,
    AVG(value_score) AS avg_value_score,
    AVG(lifetime_score) * AVG(value_score) AS cltv
FROM asin_scores
GROUP BY tracked_asin
