-- Revenue x cost grid: one row per customer segment (docs/segments.md §5).
WITH
--#include _customer_segments.sql
SELECT
    customer_audience_segment,
    COUNT(DISTINCT user_id) AS num_users,
    AVG(total_sales) AS total_sales,
    AVG(total_spend) AS total_spend,
    AVG(total_sales - total_spend) AS cltv
FROM customer_segments
GROUP BY customer_audience_segment
