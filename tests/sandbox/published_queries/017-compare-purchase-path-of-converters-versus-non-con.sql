-- source: AMC instructional query library, "Compare purchase path of converters versus non-converters" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
     sponsored_ads_traffic i
  WHERE
    user_id IS NOT NULL
),
searches AS (
  SELECT
    user_id,
    MIN(event_dt_utc) as first_search
  FROM
    conversions_all
  WHERE
    user_id IS NOT NULL
  AND
     event_subtype = 'searchConversion'
  AND
     conversions > 0
  AND
     (tracked_item SIMILAR TO '(?i)brand')
  GROUP BY
     1
),
converted AS (
  SELECT
   user_id,
   MIN(event_dt_utc) as first_purchase_dt
  FROM
   conversions_all
  WHERE
   user_id IS NOT NULL
  AND
   event_type_description = 'Product purchased'
  AND
    event_category = 'purchase'
  AND
    conversions > 0
  GROUP BY
    1
),
searches_combined AS (
   SELECT
         s.user_id AS search_id
       , s.first_search
       , c.user_id AS conversion_id
       , c.first_purchase_dt
       , CASE WHEN c.user_id IS NULL THEN 'No Purchase'
         ELSE 'Purchase'
         END as customer_type
    FROM
         searches s
    LEFT JOIN
         converted c ON s.user_id = c.user_id
    WHERE
        (c.user_id IS NOT NULL AND s.first_search < c.first_purchase_dt)
    OR
        c.user_id IS NULL
),
search_days AS (
     SELECT
         search_id
       , first_search
       , first_purchase_dt
       , customer_type
       , seconds_between(first_search,first_purchase_dt) AS days_diff_search
     FROM
         searches_combined
    WHERE
         customer_type = 'Purchase'
),
Search_stat AS (
   SELECT
     customer_type
    , COUNT(search_id) as Shoppers
   FROM
     searches_combined
   GROUP BY
     1
),
Search_stat_2 AS (
   SELECT
     customer_type
    , SUM(days_diff_search) / 86400 / COUNT(search_id) as days_between_purchase
   FROM
     search_days
   GROUP BY
     1
),
impressions_combined AS (
   SELECT
         a.search_id
       , a.customer_type
       , a.first_search
       , a.first_purchase_dt
       , b.user_id AS impression_id
       , b.impression_dt
       , b.campaign_group
       , COALESCE(b.impressions,0) as impressions
    FROM
         searches_combined a
    LEFT JOIN
         impressions b ON a.search_id = b.user_id
    WHERE
         a.customer_type = 'Purchase'
    AND
         b.impression_dt BETWEEN a.first_search AND a.first_purchase_dt
),
impressions_combined_no_purchase AS (
   SELECT
         a.search_id
       , a.customer_type
       , a.first_search
       , a.first_purchase_dt
       , b.user_id AS impression_id
       , b.impression_dt
       , b.campaign_group
       , COALESCE(b.impressions,0) as impressions
    FROM
         searches_combined a
    LEFT JOIN
         impressions b ON a.search_id = b.user_id
    WHERE
         a.customer_type = 'No Purchase'
    AND
         b.impression_dt > a.first_search
),
impressions_deduplicate_total AS (
    SELECT
        impression_id
      , customer_type
      , COUNT(DISTINCT(campaign_group)) AS campaign_groups_exposed
      , SUM(impressions) AS total_impressions
   FROM
     impressions_combined
   GROUP BY
     1,2
  UNION ALL
  SELECT
        impression_id
      , customer_type
      , COUNT(DISTINCT(campaign_group)) AS campaign_groups_exposed
      , SUM(impressions) AS total_impressions
   FROM
     impressions_combined_no_purchase
   GROUP BY
     1,2
),
exposure_stats AS (
   SELECT
      customer_type
    , SUM(total_impressions) / COUNT(impression_id) AS impressions_per_user
    , SUM(campaign_groups_exposed) / COUNT(impression_id) AS exposure_groups_per_user
   FROM
      impressions_deduplicate_total
   GROUP BY
    1
),
impressions_deduplicate_campaign AS (
    SELECT
        impression_id
      , customer_type
      , campaign_group
      , SUM(impressions) AS total_impressions
   FROM
     impressions_combined
   GROUP BY
     1,2,3
  UNION ALL
  SELECT
        impression_id
      , customer_type
      , campaign_group
      , SUM(impressions) AS total_impressions
   FROM
     impressions_combined_no_purchase
   GROUP BY
     1,2,3
),
impressions_deduplicate_campaign_new AS (
    SELECT
    customer_type
    , campaign_group
    , SUM(total_impressions) as impressions
    FROM
     impressions_deduplicate_campaign i
   GROUP BY
     1,2
),
impressions_deduplicate_customer_type AS (
    SELECT
    customer_type
    , COUNT(DISTINCT(impression_id)) as user_count
    FROM
     impressions_deduplicate_campaign i
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
     impressions_deduplicate_campaign_new a
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
      'total_users' as key_metric
      , customer_type
      , 'NA' campaign_group
      , shoppers as stats
   FROM
     search_stat
   UNION ALL
   SELECT
      'days_to_purchase_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , days_between_purchase as stats
   FROM
     search_stat_2
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
      'total_ad_product_exposure_per_user' as key_metric
      , customer_type
      , 'NA' campaign_group
      , exposure_groups_per_user as stats
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
)
     SELECT
     key_metric
     , customer_type
     , campaign_group
     , stats
   FROM
     combined_total_stats
