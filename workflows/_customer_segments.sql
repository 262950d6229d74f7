-- The segment rules (docs/segments.md §5), written once and rendered into every workflow
-- that labels customers. A customer is high on an axis when its value is at or above the threshold
-- (ties count as high). The threshold is the mean over all customers, or the percentile of
-- CUSTOM_PARAMETER('threshold_quantile') (linear interpolation between the two nearest ranks) when
-- CUSTOM_PARAMETER('threshold_method') is 'median' or 'pNN'.
--#include _customers.sql
customer_ranks AS (
    SELECT
        user_id,
        total_sales,
        total_spend,
        ROW_NUMBER() OVER (ORDER BY total_sales) AS sales_rank,
        ROW_NUMBER() OVER (ORDER BY total_spend) AS spend_rank,
        1 + (COUNT(user_id) OVER () - 1) * CAST(CUSTOM_PARAMETER('threshold_quantile') AS DOUBLE)
            AS quantile_position
    FROM customers
),
threshold_inputs AS (
    SELECT
        AVG(total_sales) AS mean_sales,
        AVG(total_spend) AS mean_spend,
        MAX(quantile_position) AS quantile_position,
        MAX(CASE WHEN sales_rank <= quantile_position AND sales_rank + 1 > quantile_position
            THEN sales_rank END) AS lower_rank,
        MAX(CASE WHEN sales_rank <= quantile_position AND sales_rank + 1 > quantile_position
            THEN total_sales END) AS sales_lower,
        MAX(CASE WHEN sales_rank > quantile_position AND sales_rank - 1 <= quantile_position
            THEN total_sales END) AS sales_upper,
        MAX(CASE WHEN spend_rank <= quantile_position AND spend_rank + 1 > quantile_position
            THEN total_spend END) AS spend_lower,
        MAX(CASE WHEN spend_rank > quantile_position AND spend_rank - 1 <= quantile_position
            THEN total_spend END) AS spend_upper
    FROM customer_ranks
),
segment_thresholds AS (
    SELECT
        CASE WHEN CUSTOM_PARAMETER('threshold_method') = 'mean' THEN mean_sales
            ELSE sales_lower + (quantile_position - lower_rank) * (COALESCE(sales_upper, sales_lower) - sales_lower)
        END AS sales_threshold,
        CASE WHEN CUSTOM_PARAMETER('threshold_method') = 'mean' THEN mean_spend
            ELSE spend_lower + (quantile_position - lower_rank) * (COALESCE(spend_upper, spend_lower) - spend_lower)
        END AS spend_threshold
    FROM threshold_inputs
),
customer_segments AS (
    SELECT
        c.user_id,
        c.total_sales,
        c.total_spend,
        CASE
            WHEN c.total_sales >= t.sales_threshold AND c.total_spend < t.spend_threshold
                THEN 'High Value Customer'
            WHEN c.total_sales >= t.sales_threshold AND c.total_spend >= t.spend_threshold
                THEN 'Revenue Potential Customer'
            WHEN c.total_sales < t.sales_threshold AND c.total_spend < t.spend_threshold
                THEN 'Growth Potential Customer'
            ELSE 'Low Value Customer'
        END AS customer_audience_segment
    FROM customers c
    CROSS JOIN segment_thresholds t
)
