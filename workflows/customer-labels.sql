-- One row per customer with its revenue x cost label (docs/segments.md §11): the per-user
-- view behind the segment table, labelled by the same shared rules and threshold parameter, so the
-- customers per label equal segmentation's num_users on the same data and window. It outputs user_id,
-- which AMC allows only on synthetic data with aggregation controls off (a sandbox instance): the
-- metadata sets synthetic_only, and amc-cltv sends disableAggregationControls.
WITH
--#include _customer_segments.sql
SELECT
    user_id,
    customer_audience_segment,
    total_sales,
    total_spend,
    total_sales - total_spend AS cltv
FROM customer_segments
