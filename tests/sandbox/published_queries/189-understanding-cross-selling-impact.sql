-- source: AMC instructional query library, "Understanding cross-selling impact" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH asin_category (asin, category) AS (
    VALUES
    ('B00000000C','Category1')
    ,('B00000000D','Category1')
    ,('B00000000E','Category1')
    ,('B00000000F','Category1')
    ,('B00000001C','Category2')
    ,('B00000001D','Category2')
    ,('B00000001E','Category2')
    ,('B00000001F','Category2')
),
purchase_customer AS (
    SELECT
        a.user_id
        , a.event_dt_utc
        , a.tracked_asin
        , b.category
        , SUM(a.conversions ) AS purchases
    FROM conversions_all as a
    INNER JOIN asin_category as b
    ON a.tracked_asin = b.asin
    WHERE
        total_product_sales >0
        AND a.event_subtype IN ('order')
        AND a.user_id IS NOT NULL
        GROUP BY 1,2,3,4
        ORDER BY 1,2
),
purchase_customer_ordered AS (
    SELECT
        user_id
        , category
        , MIN(event_dt_utc) AS event_dt_category_first
        , SUM(purchases) AS purchases
    FROM purchase_customer
    GROUP BY 1,2
),
purchase_customer_ordered_sorted AS (
    SELECT
        user_id
        , ARRAY_SORT(COLLECT(DISTINCT category)) AS path
        , SUM(purchases) AS purchases
    FROM purchase_customer_ordered
    GROUP BY 1
)
SELECT
    path AS purchase_category_combination
    , count(distinct user_id) as dist_purchaser
    , SUM(purchases) AS purchases
FROM purchase_customer_ordered_sorted
WHERE path IS NOT NULL
GROUP BY 1
