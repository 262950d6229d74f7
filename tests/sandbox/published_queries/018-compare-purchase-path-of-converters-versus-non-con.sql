-- source: AMC instructional query library, "Compare purchase path of converters versus non-converters" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
 WITH campaign_group (campaign_id_string, campaign_group) AS (
  VALUES
    ('910000000000000000', 'OLV'),
    ('910000000000000000', 'DSP')
),
dsp_campaigns (campaign_id_string) AS (
  VALUES
    ('910000000000000000'),
    ('910000000000000000')
),
impressions AS (
  SELECT
    COALESCE(campaign_group, 'Amazon DSP') AS campaign_group
   ,'DSP' AS product_type
   , user_id
   , impression_dt_utc AS impression_dt
   , impressions AS impressions
  FROM
    dsp_impressions i
  INNER JOIN
     campaign_group G ON g.campaign_id_string = i.campaign_id_string
  WHERE
    user_id IS NOT NULL
  UNION ALL
   SELECT
     ad_product_type AS campaign_group
    ,'sponsored ads' AS product_type
    , user_id
    , event_dt_utc AS impression_dt
    , impressions AS impressions
   FROM
     sponsored_ads_traffic
   WHERE
     user_id IS NOT NULL
   AND
     ad_product_type IS NOT NULL
),
converted AS (
   SELECT
      user_id
    , MIN(event_dt_utc) AS first_purchase_dt
    , SUM(total_product_sales) AS total_product_sales
   FROM
     conversions_all c
   WHERE
     event_type_description in ('Product purchased')
   AND
     conversions > 0
   GROUP BY
     1
),
DPV AS (
   SELECT
      user_id
    , tracked_item
    , event_dt_utc AS conversion_dt
    , event_type_description
    , 1 AS conversion
   FROM
    conversions_all
   WHERE
    event_subtype in ('detailPageView')
   AND
     tracked_item IS NOT NULL
   AND
    conversions > 0
),
first_DPV AS (
   SELECT
      user_id
    , MIN(conversion_dt) as first_dpv_dt
   FROM
     dpv
   GROUP BY
     1
),
DPV_combined_first AS (
   SELECT
         a.user_id
       , a.first_dpv_dt
       , b.first_purchase_dt
       , b.user_id AS conv_id
       , CASE WHEN b.user_id IS NULL THEN 'No Purchase'
         ELSE 'Purchase'
         END as customer_type
       , seconds_between(first_dpv_dt,first_purchase_dt) AS days_diff_dpv
    FROM
         first_dpv a
    LEFT JOIN
         converted b ON a.user_id = b.user_id
),
days_to_purchase AS (
    SELECT
      customer_type
    , SUM(days_diff_dpv) / 86400 / COUNT(user_id) AS days_to_purchase
    FROM
      DPV_combined_first
    GROUP BY
       1
),
DPV_combined_purchase AS (
    SELECT
         a.user_id
       , a.first_dpv_dt
       , a.customer_type
       , a.first_purchase_dt
       , b.tracked_item
       , b.conversion
       , b.conversion_dt
    FROM
       DPV_combined_first a
    LEFT JOIN
       DPV b ON a.user_id = b.user_id
    WHERE
         a.customer_type = 'Purchase'
    AND
        b.conversion_dt BETWEEN a.first_dpv_dt AND first_purchase_dt
),
DPV_combined_no_purchase AS (
SELECT
         a.user_id
       , a.first_dpv_dt
       , a.customer_type
       , a.first_purchase_dt
       , b.tracked_item
       , b.conversion
       , b.conversion_dt
    FROM
       DPV_combined_first a
    LEFT JOIN
       DPV b ON a.user_id = b.user_id
    WHERE
         a.customer_type = 'No Purchase'
    AND
        b.conversion_dt > a.first_dpv_dt
),
DPV_deduplicate AS (
    SELECT
       user_id
     , customer_type
     , SUM(conversion) AS dpvs
   FROM
     DPV_combined_purchase
   GROUP BY
     1,2
  UNION ALL
  SELECT
       user_id
     , customer_type
     , SUM(conversion) AS dpvs
   FROM
     DPV_combined_no_purchase
   GROUP BY
     1,2
),
DPV_stats AS (
   SELECT
       customer_type
     , SUM(dpvs) / COUNT(user_id) AS dpvs_per_user
   FROM
     DPV_deduplicate
   GROUP BY
     1
),
DPV_products_deduplicate AS (
   SELECT
      user_id
     , customer_type
     , COUNT(distinct(tracked_item)) AS products_viewed
    FROM
       DPV_combined_purchase
    WHERE
        tracked_item IS NOT NULL
    GROUP BY
        1,2
   UNION ALL
  SELECT
      user_id
     , customer_type
     , COUNT(distinct(tracked_item)) AS products_viewed
    FROM
       DPV_combined_no_purchase
    WHERE
        tracked_item IS NOT NULL
    GROUP BY
        1,2
),
DPV_stats_2 AS (
   SELECT
     customer_type
    , SUM(products_viewed) / COUNT(user_id) AS products_viewed_per_user
   FROM
     DPV_products_deduplicate
   GROUP BY
     1
),
impressions_combined AS (
   SELECT
         c.first_dpv_dt
       , c.first_purchase_dt
       , c.customer_type
       , i.user_id AS impression_id
       , i.impression_dt
       , i.campaign_group
       , i.impressions
    FROM
         DPV_combined_first c
    LEFT JOIN
         impressions i ON c.user_id = i.user_id
    WHERE
        (i.user_id IS NOT NULL AND i.impression_dt BETWEEN first_dpv_dt AND c.first_purchase_dt)
    OR
        (i.user_id IS NOT NULL AND c.first_purchase_dt IS NULL)
    OR
        i.user_id IS NULL
),
impressions_deduplicate AS (
    SELECT
        i.impression_id
      , customer_type
      , COUNT(DISTINCT(i.campaign_group)) AS campaign_groups_exposed
      , SUM(i.impressions) AS total_impressions
   FROM
     impressions_combined i
   GROUP BY
     1,2
),
exposure_stats AS (
   SELECT
      customer_type
    , SUM(total_impressions) / COUNT(impression_id) AS impressions_per_user
    , SUM(campaign_groups_exposed) / COUNT(impression_id) AS exposure_groups_per_user
   FROM
      impressions_deduplicate
   GROUP BY
    1
),
impressions_deduplicate_campaign AS (
    SELECT
    customer_type
    , campaign_group
    , SUM(impressions) as impressions
    FROM
     impressions_combined i
   GROUP BY
     1,2
),
impressions_deduplicate_customer_type AS (
    SELECT
    customer_type
    , COUNT(DISTINCT(impression_id)) as user_count
    FROM
     impressions_combined i
   GROUP BY
     1
),
impressions_deduplicate_combined AS (
    SELECT
    a.customer_type
    , a.campaign_group
    , a.impressions
    , b.user_count
    FROM
     impressions_deduplicate_campaign a
    LEFT JOIN
    impressions_deduplicate_customer_type b ON a.customer_type = b.customer_type
),
exposure_stats_campaign AS (
    SELECT
    customer_type
     , campaign_group
     , user_count
     , impressions
     , impressions/user_count as impressions_user
   FROM
    impressions_deduplicate_combined
),
combined_total_stats AS (
   SELECT
      'days_to_purchase_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , days_to_purchase as stats
   FROM
     days_to_purchase
   UNION ALL
   SELECT
      'ad_products_exposed_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , exposure_groups_per_user as stats
   FROM
     exposure_stats
   UNION ALL
   SELECT
      'total_impressions_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , impressions_per_user as stats
   FROM
     exposure_stats
 UNION ALL
   SELECT
      'impressions_per_user_per_ad_product' as key_metric
      , customer_type
      , campaign_group
      , impressions_user as stats
   FROM
     exposure_stats_campaign
 UNION ALL
   SELECT
      'dpvs_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , dpvs_per_user as stats
   FROM
     dpv_stats
   UNION ALL
   SELECT
      'products_viewed_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , products_viewed_per_user as stats
   FROM
     dpv_stats_2
)
     SELECT
     key_metric
     , customer_type
     , campaign_group
     , stats
   FROM
     combined_total_stats
