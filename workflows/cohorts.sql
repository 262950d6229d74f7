-- Customer cohorts by acquisition month x revenue x cost label (docs/segments.md §10).
-- A customer's cohort_month is the month (yyyy-MM) of their first order flagged new_to_brand in the window,
-- or 'existing' when the window holds none (acquired before it). Customers, sales, spend and labels are
-- exactly those of segmentation: the thresholds are taken over all customers, never per cohort, so per
-- label the num_users of the cohorts add up to segmentation's num_users.
-- The month is written with YEAR, MONTH, RIGHT and CONCAT only (AMC SQL functions); CONCAT casts the
-- numbers to strings, and RIGHT(CONCAT('0', month), 2) pads the month to two digits.
WITH
--#include _customer_segments.sql
,
customer_cohorts AS (
    SELECT
        s.user_id,
        s.customer_audience_segment,
        s.total_sales,
        s.total_spend,
        CASE
            WHEN c.first_new_to_brand_date IS NULL THEN 'existing'
            ELSE CONCAT(
                YEAR(c.first_new_to_brand_date),
                '-',
                RIGHT(CONCAT('0', MONTH(c.first_new_to_brand_date)), 2)
            )
        END AS cohort_month
    FROM customer_segments s
    INNER JOIN customers c
        ON c.user_id = s.user_id
)
SELECT
    cohort_month,
    customer_audience_segment,
    COUNT(DISTINCT user_id) AS num_users,
    AVG(total_sales) AS total_sales,
    AVG(total_spend) AS total_spend,
    AVG(total_sales - total_spend) AS cltv
FROM customer_cohorts
GROUP BY cohort_month, customer_audience_segment
