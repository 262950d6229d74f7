-- Per-customer inputs (docs/segments.md §4): one row per user with total_sales > 0.
-- Rows with a NULL user_id are ignored; spend is converted from AMC's units to currency.
customer_orders AS (
    SELECT
        user_id,
        CAST(SUM(total_product_sales) AS DOUBLE) AS total_sales,
        SUM(total_units_sold) AS total_units_sold,
        SUM(conversions) AS conversion_frequency,
        MIN(event_date_utc) AS first_order_date,
        MAX(event_date_utc) AS last_order_date,
        -- the day the brand acquired the customer (cohorts); NULL when acquired before the window
        MIN(CASE WHEN new_to_brand THEN event_date_utc END) AS first_new_to_brand_date
    FROM {{conversions}}
    WHERE event_subtype = 'order'
        AND user_id IS NOT NULL
    GROUP BY user_id
),
sponsored_spend_by_user AS (
    -- spend is in microcents. Every row counts: a CPC cost sits on the click row, a vCPM cost on the
    -- viewable-impression row (clicks 0), and rows without a cost have spend 0.
    SELECT
        user_id,
        CAST(SUM(spend) AS DOUBLE) / 100000000 AS sponsored_spend
    FROM {{sponsored_ads_traffic}}
    WHERE user_id IS NOT NULL
    GROUP BY user_id
),
dsp_spend_by_user AS (
    -- total_cost is in millicents, summed over every row
    SELECT
        user_id,
        CAST(SUM(total_cost) AS DOUBLE) / 100000 AS dsp_spend
    FROM {{dsp_impressions}}
    WHERE user_id IS NOT NULL
    GROUP BY user_id
),
customers AS (
    -- an organic customer (no ad cost) has total_spend 0, not NULL
    SELECT
        o.user_id,
        o.total_sales,
        o.total_units_sold,
        o.conversion_frequency,
        COALESCE(s.sponsored_spend, 0) AS sponsored_spend,
        COALESCE(d.dsp_spend, 0) AS dsp_spend,
        COALESCE(s.sponsored_spend, 0) + COALESCE(d.dsp_spend, 0) AS total_spend,
        -- months, not rounded: 0 for a single purchase day
        SECONDS_BETWEEN(o.first_order_date, o.last_order_date) / 86400 / 30 AS cust_lifetime,
        o.first_new_to_brand_date
    FROM customer_orders o
    LEFT JOIN sponsored_spend_by_user s
        ON s.user_id = o.user_id
    LEFT JOIN dsp_spend_by_user d
        ON d.user_id = o.user_id
    WHERE o.total_sales > 0
),
