-- The ASINs each segment's customers buy (docs/segments.md §15): per segment and tracked_asin, the
-- segment's customers who ordered it, and their sales and units of it over the window.
WITH
asin_orders AS (
    SELECT
        user_id,
        tracked_asin,
        CAST(SUM(total_product_sales) AS DOUBLE) AS asin_sales,
        SUM(total_units_sold) AS asin_units
    FROM {{conversions}}
    WHERE event_subtype = 'order'
        AND user_id IS NOT NULL
        AND tracked_asin IS NOT NULL
    GROUP BY user_id, tracked_asin
),
--#include _customer_segments.sql
SELECT
    s.customer_audience_segment,
    o.tracked_asin,
    COUNT(DISTINCT o.user_id) AS num_users,
    SUM(o.asin_sales) AS total_sales,
    SUM(o.asin_units) AS total_units_sold
FROM asin_orders o
INNER JOIN customer_segments s
    ON s.user_id = o.user_id
GROUP BY s.customer_audience_segment, o.tracked_asin
