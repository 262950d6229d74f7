-- source: AMC instructional query library, "Understanding cross-selling impact" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
dsp_campaign_group (campaign_id_string, campaign_group) AS (
    VALUES
    ('500000000000000001','Category1')
    ,('500000000000000002','Category1')
    ,('500000000000000003','Category1')
    ,('500000000000000004','Category1')
    ,('500000000000000005','Category2')
    ,('500000000000000006','Category2')
    ,('500000000000000007','Category2')
),
sa_campaign_group (campaign_id_string, campaign_group) AS (
    VALUES
    ('','')
),
user_exposed AS (
    SELECT
        user_id,
        COALESCE(d.campaign_group, 'DSP-Others') AS campaign_group,
        SUM(impressions) AS impressions,
        SUM(total_cost) / 1e5 AS total_cost
    FROM
        dsp_impressions i
    INNER JOIN dsp_campaign_group d on d.campaign_id_string = i.campaign_id_string
    WHERE
        user_id IS NOT NULL
        AND impressions >0
    GROUP BY
    1,2
    UNION ALL
    SELECT
        user_id,
        COALESCE(sp.campaign_group, concat(ad_product_type,'-Others')) AS campaign_group,
        SUM(impressions) AS impressions,
        SUM(spend) / 1e8 AS total_cost
    FROM
        sponsored_ads_traffic a
    INNER JOIN sa_campaign_group sp on sp.campaign_id_string = a.campaign_id_string
    WHERE
        user_id IS NOT NULL
        AND ad_product_type is not null
        AND impressions >0
    GROUP BY
    1,2
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
    WHERE total_product_sales >0
    AND a.user_id in ( SELECT DISTINCT user_id FROM user_exposed)
    AND a.event_subtype IN ('order')
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
),
campaign_agg AS (
    SELECT
        campaign_group
        , user_id
    FROM user_exposed
    GROUP BY 1, 2
),
together AS (
    SELECT
        c.user_id
        , c.campaign_group
        , p.user_id as pur_user_id
        , p.path
        , p.purchases
    FROM campaign_agg AS c
    LEFT JOIN purchase_customer_ordered_sorted AS p
    ON c.user_id = p.user_id
    WHERE c.campaign_group IS NOT NULL
    GROUP BY 1,2,3,4,5
),
reach AS (
    SELECT
        campaign_group
        , count(distinct user_id) AS reach
    FROM together
    WHERE campaign_group IS NOT NULL
    GROUP BY 1
)
SELECT
    a.campaign_group
    , b.reach
    , a.path AS purchase_category_combination
    , count(distinct a.pur_user_id) AS dist_purchaser
    , sum(a.purchases) AS purchases
FROM together AS a
LEFT JOIN reach AS b
on a.campaign_group = b.campaign_group
GROUP BY 1,2,3
