-- Lifetime x value labels per customer (docs/segments.md §8), reported per
-- (tracked_asin the customer ordered, label). A customer with no ad cost has no value_score and is
-- 'Non-Labeled'; the value_score average is over the customers that have one.
WITH
--#include _customers.sql
customer_ratios AS (
    SELECT
        user_id,
        total_spend,
        conversion_frequency / NULLIF(AVG(conversion_frequency) OVER (), 0) AS purchase_frequency_ratio,
        total_units_sold / NULLIF(AVG(total_units_sold) OVER (), 0) AS purchase_quantity_ratio,
        cust_lifetime / NULLIF(AVG(cust_lifetime) OVER (), 0) AS user_lifetime_ratio,
        (total_sales - total_spend) / NULLIF(total_spend, 0) AS value_score
    FROM customers
),
customer_scores AS (
    SELECT
        user_id,
        total_spend,
        purchase_frequency_ratio,
        purchase_quantity_ratio,
        user_lifetime_ratio,
        purchase_frequency_ratio * purchase_quantity_ratio * user_lifetime_ratio AS lifetime_score,
        value_score
    FROM customer_ratios
),
loyalty_labels AS (
    SELECT
        user_id,
        total_spend,
        purchase_frequency_ratio,
        purchase_quantity_ratio,
        user_lifetime_ratio,
        lifetime_score,
        value_score,
        CASE
            WHEN lifetime_score IS NULL OR value_score IS NULL THEN 'Non-Labeled'
            WHEN lifetime_score >= AVG(lifetime_score) OVER () AND value_score >= AVG(value_score) OVER ()
                THEN 'High CLTV Customer'
            WHEN lifetime_score >= AVG(lifetime_score) OVER () AND value_score < AVG(value_score) OVER ()
                THEN 'High Loyalty Customer'
            WHEN lifetime_score < AVG(lifetime_score) OVER () AND value_score < AVG(value_score) OVER ()
                THEN 'Low CLTV Customer'
            ELSE 'High Revenue Potential Customer'
        END AS customer_audience_segment
    FROM customer_scores
),
asin_orders AS (
    SELECT
        user_id,
        tracked_asin,
        CAST(SUM(total_product_sales) AS DOUBLE) AS total_sales,
        SUM(total_units_sold) AS total_units_sold
    FROM {{conversions}}
    WHERE event_subtype = 'order'
        AND user_id IS NOT NULL
    GROUP BY user_id, tracked_asin
)
SELECT
    a.tracked_asin,
    l.customer_audience_segment,
    COUNT(DISTINCT l.user_id) AS users,
    AVG(l.purchase_frequency_ratio) AS purchase_frequency_ratio,
    AVG(l.purchase_quantity_ratio) AS purchase_quantity_ratio,
    AVG(l.user_lifetime_ratio) AS user_lifetime_ratio,
    SUM(a.total_sales) AS total_sales,
    SUM(a.total_units_sold) AS total_units_sold,
    SUM(l.total_spend) AS total_spend,
    AVG(l.lifetime_score) * AVG(l.value_score) AS cltv
FROM loyalty_labels l
INNER JOIN asin_orders a
    ON a.user_id = l.user_id
GROUP BY a.tracked_asin, l.customer_audience_segment
