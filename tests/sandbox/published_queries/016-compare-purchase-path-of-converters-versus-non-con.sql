-- source: AMC instructional query library, "Compare purchase path of converters versus non-converters" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
 , MIN(impression_dt_utc) AS impression_dt_first
 , MAX(impression_dt_utc) AS impression_dt_last
 , SUM(impressions) AS impressions
 FROM
 dsp_impressions i
 INNER JOIN
 campaign_group G ON g.campaign_id_string = i.campaign_id_string
 WHERE
 user_id IS NOT NULL
 GROUP BY
 1,2,3
 UNION ALL
 SELECT
 ad_product_type AS campaign_group
 ,'sponsored ads' AS product_type
 , user_id
 , MIN(event_dt_utc) AS impression_dt_first
 , MAX(event_dt_utc) AS impression_dt_last
 , SUM(impressions) AS impressions
 FROM
 sponsored_ads_traffic
 WHERE
 user_id IS NOT NULL
 AND
 ad_product_type IS NOT NULL
 GROUP BY
 1,2,3
),
impressions_removed AS (
 SELECT
 user_id
 , SUM(impressions) as impressions
 FROM
 impressions
 GROUP BY
 1
 HAVING
 impressions < 150
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
impressions_combined AS (
 SELECT
 i.user_id AS impression_id
 , i.impression_dt_first
 , i.impression_dt_last
 , i.campaign_group
 , i.impressions
 , c.user_id AS conversion_id
 , c.first_purchase_dt
 , CASE WHEN c.user_id IS NULL THEN 'No Purchase'
 ELSE 'Purchase'
 END as customer_type
 FROM
 impressions i
 LEFT JOIN
 converted c ON i.user_id = c.user_id
 WHERE
 i.user_id IN (SELECT user_id FROM impressions_removed)
 AND
 ((c.user_id IS NOT NULL AND i.impression_dt_first < c.first_purchase_dt)
 OR
 c.user_id IS NULL)
),
First_Imp_ranked AS (
 SELECT
 impression_id AS user_id
 , impression_dt_first
 , campaign_group
 , first_purchase_dt
 , customer_type
 , ROW_NUMBER() OVER (
 PARTITION BY impression_id
 ORDER BY
 impression_dt_first ASC) as impression_order
 FROM
 impressions_combined
),
First_Imp AS (
 SELECT
 user_id
 , impression_dt_first
 , first_purchase_dt
 , campaign_group
 , customer_type
 , impression_order
 , seconds_between(impression_dt_first,first_purchase_dt) AS days_diff
 FROM
 First_Imp_ranked
 WHERE
 impression_order = 1
),
days_to_purchase AS (
 SELECT
 customer_type
 , SUM(days_diff) / 86400 / COUNT(user_id) AS days_to_purchase
 FROM
 First_Imp
 GROUP BY
 1
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
converted_DPV AS (
 SELECT
 user_id
 , tracked_item
 , event_dt_utc AS conversion_dt
 , event_type_description
 , 1 AS conversion
 FROM
 conversions_all c
 WHERE
 event_subtype in ('detailPageView')
 AND
 conversions > 0
 AND
 tracked_item IS NOT NULL
 AND
 user_id IN (SELECT impression_id FROM impressions_deduplicate)
),
DPV_combined AS (
 SELECT
 a.user_id
 , a.customer_type
 , a.impression_dt_first
 , a.first_purchase_dt
 , b.user_id AS dpv_id
 , b.conversion_dt
 , b.tracked_item
 , COALESCE(b.conversion,0) AS conversion
 , seconds_between(impression_dt_first,conversion_dt) AS days_diff_dpv
 FROM
 First_Imp a
 LEFT JOIN
 converted_dpv b ON a.user_id = b.user_id
 WHERE
 a.customer_type = 'Purchase'
 AND
 b.conversion_dt BETWEEN impression_dt_first AND a.first_purchase_dt
),
DPV_combined_no_purchase AS (
 SELECT
 a.user_id
 , a.customer_type
 , a.impression_dt_first
 , a.first_purchase_dt
 , b.user_id AS dpv_id
 , b.conversion_dt
 , b.tracked_item
 , COALESCE(b.conversion,0) AS conversion
 FROM
 First_Imp a
 LEFT JOIN
 converted_dpv b ON a.user_id = b.user_id
 WHERE
 a.customer_type = 'No Purchase'
 AND
 b.conversion_dt > impression_dt_first
),
DPV_deduplicate AS (
 SELECT
 user_id
 , customer_type
 , SUM(conversion) AS dpvs
 FROM
 DPV_combined
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
 DPV_combined
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
