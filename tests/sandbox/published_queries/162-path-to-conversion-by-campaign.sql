-- source: AMC instructional query library, "Path to conversion by campaign" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS
(
SELECT
    campaign,
    user_id,
    min(impression_dt) impression_dt_first,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost
FROM dsp_impressions
WHERE user_id IS NOT NULL
GROUP BY 1,2
)
, converted AS
(
    SELECT
        campaign,
        user_id,
        max(conversion_event_dt) AS conversion_event_dt_last,
        SUM(product_sales) AS product_sales,
        SUM(purchases) AS purchases
FROM amazon_attributed_events_by_traffic_time
WHERE purchases > 0 and user_id is not null
GROUP BY 1,2
)
, filter_impressions AS
(
    SELECT i.user_id AS imp_user_id,
           c.user_id AS pur_user_id,
           i.campaign,
           i.impressions,
           i.impression_dt_first,
           i.total_cost,
           c.conversion_event_dt_last,
           c.product_sales,
           c.purchases
    FROM impressions i
    LEFT JOIN converted c ON c.user_id = i.user_id AND c.campaign = i.campaign
    WHERE ((c.user_id IS NOT NULL AND i.impression_dt_first < c.conversion_event_dt_last)
    OR c.user_id IS NULL)
),
 ranked AS
(
SELECT
    NAMED_ROW('order', ROW_NUMBER() OVER(PARTITION BY imp_user_id ORDER BY impression_dt_first),'campaign', campaign) AS campaign_order,
    imp_user_id
FROM filter_impressions
WHERE imp_user_id is not null)
, assembled AS
(
SELECT
    ARRAY_SORT(COLLECT(distinct campaign_order)) AS path,
    imp_user_id
FROM ranked
GROUP BY imp_user_id
),
filter_impressions_dedupe AS (
  SELECT
    imp_user_id                             AS imp_user_id,
    SUM(impressions)                        AS impressions,
    SUM(total_cost)                         AS total_cost,
    MAX(IF(pur_user_id IS NOT NULL,1,0))    AS pur_user_id,
    MAX(product_sales)                      AS product_sales,
    MAX(purchases)                          AS purchases
  FROM
    filter_impressions
  GROUP BY
    imp_user_id
),
  assembled_with_imp_conv AS
    (
        SELECT path,
                count(distinct a.imp_user_id) as reach,
                SUM(b.impressions) as impressions,
                SUM(b.total_cost)/100000 as imp_total_cost,
                SUM(b.pur_user_id) as users_that_purchased,
                SUM(b.product_sales) as sales_amount,
                SUM(b.purchases) as purchases
    FROM assembled a
    LEFT JOIN filter_impressions_dedupe b
           ON a.imp_user_id = b.imp_user_id
    GROUP BY path
    )
    SELECT
        path,
        reach AS path_occurrences,
        impressions,
        imp_total_cost,
        users_that_purchased,
        sales_amount,
        purchases,
        (users_that_purchased/reach) as user_purchase_rate
    FROM assembled_with_imp_conv
