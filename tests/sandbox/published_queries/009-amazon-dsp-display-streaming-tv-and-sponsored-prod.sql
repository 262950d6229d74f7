-- source: AMC instructional query library, "Amazon DSP Display, Streaming TV and Sponsored Products 3-way overlap" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
with p1_ids as
(SELECT campaign_id FROM
(VALUES
(111122222)) as b(campaign_id)
),
p2_ids as
(SELECT campaign_id FROM
(VALUES
(111122222),
(111122222)) as b(campaign_id)
),
p3_ids as
(SELECT campaign FROM
(VALUES
('SP_campaign_name1'),
('SP_campaign_name2'),
('SP_campaign_name3'),
('SP_campaign_name4')) as b(campaign)
),
purchases_temp as (
SELECT
  user_id
  ,campaign_id
  ,campaign
  ,conversion_event_dt
  ,sum(purchases) as purchases
  ,sum(total_purchases_clicks) as total_purchases_clicks
  ,sum(product_sales) as sales
FROM amazon_attributed_events_by_traffic_time a
WHERE (campaign_id IN (SELECT campaign_id from p1_ids) OR
       campaign_id IN (SELECT campaign_id from p2_ids) OR
       campaign IN (SELECT campaign from p3_ids))
GROUP BY 1,2,3,4
),
purchases as (
SELECT
  user_id
  ,conversion_event_dt
  , SUM(purchases) AS p1_purchases
  , 0 AS p2_purchases
  , 0 AS p3_purchases
  , SUM(sales) as sales
FROM purchases_temp a
WHERE campaign_id IN (SELECT campaign_id from p1_ids)
GROUP BY 1,2
UNION ALL
SELECT
  user_id
  ,conversion_event_dt
  , 0 AS p1_purchases
  , SUM(purchases) AS p2_purchases
  , 0 AS p3_purchases
  , SUM(sales) as sales
FROM purchases_temp a
WHERE campaign_id IN (SELECT campaign_id from p2_ids)
GROUP BY 1,2
UNION ALL
SELECT
  user_id
  ,conversion_event_dt
  , 0 AS p1_purchases
  , 0 AS p2_purchases
  , SUM(total_purchases_clicks) AS p3_purchases
  , SUM(sales) as sales
FROM purchases_temp a
JOIN (SELECT campaign FROM p3_ids) b on a.campaign = b.campaign
GROUP BY 1,2
),
purchases_last_total as
(
SELECT
user_id
, max(conversion_event_dt)                  AS conversion_event_dt_last
, sum(p1_purchases + p2_purchases + p3_purchases) AS purchases
, sum(p1_purchases)                         AS p1_purchases
, sum(p2_purchases)                         AS p2_purchases
, sum(p3_purchases)                         AS p3_purchases
, sum(sales)                                AS sales
from purchases
WHERE p1_purchases+p2_purchases+p3_purchases > 0
GROUP BY 1
),
impressions_temp as (
SELECT
user_id
, campaign_id
, campaign
, UUID()           AS impression_id
, impression_dt
, impressions AS impressions
FROM dsp_impressions a
WHERE (campaign_id IN (SELECT campaign_id from p1_ids) OR
       campaign_id IN (SELECT campaign_id from p2_ids))
AND impressions > 0
UNION all
SELECT
user_id
, 0 as campaign_id
, a.campaign
, UUID()           AS impression_id
, event_dt         AS impression_dt
, impressions AS impressions
FROM sponsored_ads_traffic a
JOIN (SELECT campaign FROM p3_ids) b on a.campaign = b.campaign
WHERE impressions > 0
),
    impressions AS (
SELECT user_id
     , impression_id
     , impression_dt
     , 'p1' AS IMP_ad_type
     , sum(impressions) AS impressions
FROM impressions_temp
WHERE campaign_id IN (SELECT campaign_id from p1_ids)
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT user_id
     , impression_id
     , impression_dt
     , 'p2' AS IMP_ad_type
     , sum(impressions) AS impressions
FROM impressions_temp
WHERE campaign_id IN (SELECT campaign_id from p2_ids)
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT user_id
     , impression_id
     , impression_dt
     , 'p3'             AS IMP_ad_type
     , sum(impressions) AS impressions
FROM impressions_temp a
JOIN (SELECT campaign FROM p3_ids) b on a.campaign = b.campaign
GROUP BY 1, 2, 3, 4),
impressions_first_total as
(
SELECT
user_id
,imp_ad_type
,min(impression_dt) as impression_dt_first
,sum(impressions) as impressions
from impressions
GROUP BY 1,2
),
combined as (
SELECT
  imp.user_id as imp_user
  ,pur.user_id as pur_user
  ,imp.imp_ad_type
  ,pur.purchases
  ,pur.p1_purchases
  ,pur.p2_purchases
  ,pur.p3_purchases
  ,imp.impressions
  ,pur.sales
    ,CASE WHEN conversion_event_dt_last IS NULL THEN 'no purchase'
    WHEN conversion_event_dt_last > impression_dt_first THEN 'pre-purchase'
    WHEN conversion_event_dt_last < impression_dt_first THEN 'post-purchase'
    ELSE 'other'
    END AS impression_timing
FROM purchases_last_total pur
FULL OUTER JOIN impressions_first_total imp ON pur.user_id = imp.user_id
),
binned_data as (
SELECT
 imp_user
 , pur_user
  ,SUM(IF(impression_timing = 'no purchase' AND imp_ad_type = 'p1', impressions, 0)) as no_purch_p1_impressions
  ,SUM(IF(impression_timing = 'pre-purchase' AND imp_ad_type = 'p1', impressions, 0)) as pre_purch_p1_impressions
  ,SUM(IF(impression_timing = 'post-purchase' AND imp_ad_type = 'p1', impressions, 0)) as post_purch_p1_impressions
  ,SUM(IF(impression_timing = 'other' AND imp_ad_type = 'p1', impressions, 0)) as other_p1_impressions
  ,SUM(IF(imp_ad_type = 'p1', impressions, 0)) as total_p1_impressions
  ,SUM(IF(impression_timing = 'no purchase' AND imp_ad_type = 'p2', impressions, 0)) as no_purch_p2_impressions
  ,SUM(IF(impression_timing = 'pre-purchase' AND imp_ad_type = 'p2', impressions, 0)) as pre_purch_p2_impressions
  ,SUM(IF(impression_timing = 'post-purchase' AND imp_ad_type = 'p2', impressions, 0)) as post_purch_p2_impressions
  ,SUM(IF(impression_timing = 'other' AND imp_ad_type = 'p2', impressions, 0)) as other_p2_impressions
  ,SUM(IF(imp_ad_type = 'p2', impressions, 0)) as total_p2_impressions
  ,SUM(IF(impression_timing = 'no purchase' AND imp_ad_type = 'p3', impressions, 0)) as no_purch_p3_impressions
  ,SUM(IF(impression_timing = 'pre-purchase' AND imp_ad_type = 'p3', impressions, 0)) as pre_purch_p3_impressions
  ,SUM(IF(impression_timing = 'post-purchase' AND imp_ad_type = 'p3', impressions, 0)) as post_purch_p3_impressions
  ,SUM(IF(impression_timing = 'other' AND imp_ad_type = 'p3', impressions, 0)) as other_p3_impressions
  ,SUM(IF(imp_ad_type = 'p3', impressions, 0)) as total_p3_impressions
  ,MAX(purchases) as purchases
  ,MAX(p1_purchases) as p1_purchases
  ,MAX(p2_purchases) as P2_purchases
  ,MAX(p3_purchases) as p3_purchases
  ,MAX(sales) as sales
FROM combined
GROUP BY 1,2
),
users_purchased as
(
SELECT
imp_user
, pur_user
, no_purch_p1_impressions
, pre_purch_p1_impressions
, post_purch_p1_impressions
, other_p1_impressions
, total_p1_impressions
, no_purch_p2_impressions
, pre_purch_p2_impressions
, post_purch_p2_impressions
, other_p2_impressions
, total_p2_impressions
, no_purch_p3_impressions
, pre_purch_p3_impressions
, post_purch_p3_impressions
, other_p3_impressions
, total_p3_impressions
, purchases
from binned_data
WHERE purchases > 0
),
users_purchased_exp as
(
SELECT
IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions > 0 ), 'all',
IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions = 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions = 0 ), 'p1&p2',
IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions = 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions = 0 AND no_purch_p3_impressions > 0 ), 'p1&p3',
IF((pre_purch_p1_impressions = 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions = 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions > 0 ), 'p2&p3',
IF((pre_purch_p1_impressions > 0 OR no_purch_p1_impressions > 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0), 'p1',
IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions > 0 OR no_purch_p2_impressions > 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0), 'p2',
IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions > 0 OR no_purch_p3_impressions > 0), 'p3',
IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0) , 'none', 'NA'))))))))
AS exposure_group
,COUNT(distinct imp_user) as users_that_purchased_with_impressions
,COUNT(distinct pur_user) as users_that_purchased
FROM users_purchased
GROUP BY exposure_group
),
users_all_exp as
(SELECT
  IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions > 0 ), 'all',
  IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions = 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions = 0 ), 'p1&p2',
  IF((pre_purch_p1_impressions > 0 AND pre_purch_p2_impressions = 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions > 0 AND no_purch_p2_impressions = 0 AND no_purch_p3_impressions > 0 ), 'p1&p3',
  IF((pre_purch_p1_impressions = 0 AND pre_purch_p2_impressions > 0 AND pre_purch_p3_impressions > 0) OR  (no_purch_p1_impressions = 0 AND no_purch_p2_impressions > 0 AND no_purch_p3_impressions > 0 ), 'p2&p3',
  IF((pre_purch_p1_impressions > 0 OR no_purch_p1_impressions > 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0), 'p1',
  IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions > 0 OR no_purch_p2_impressions > 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0), 'p2',
  IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions > 0 OR no_purch_p3_impressions > 0), 'p3',
  IF((pre_purch_p1_impressions = 0 AND no_purch_p1_impressions = 0) AND (pre_purch_p2_impressions = 0 AND no_purch_p2_impressions = 0) AND (pre_purch_p3_impressions = 0 AND no_purch_p3_impressions = 0) , 'none', 'NA'))))))))
        AS exposure_group
,COUNT(distinct imp_user) as impression_reach
,SUM(purchases) as purchases
,SUM(p1_purchases) as p1_purchases
,SUM(p2_purchases) as P2_purchases
,SUM(p3_purchases) as p3_purchases
,SUM(no_purch_p1_impressions) as no_purch_p1_impressions
,SUM(pre_purch_p1_impressions) as pre_purch_p1_impressions
,SUM(post_purch_p1_impressions) as post_purch_p1_impressions
,SUM(other_p1_impressions) as other_p1_impressions
,SUM(total_p1_impressions) as total_p1_impressions
,SUM(no_purch_p2_impressions) as no_purch_p2_impressions
,SUM(pre_purch_p2_impressions) as pre_purch_p2_impressions
,SUM(post_purch_p2_impressions) as post_purch_p2_impressions
,SUM(other_p2_impressions) as other_p2_impressions
,SUM(total_p2_impressions) as total_p2_impressions
,SUM(no_purch_p3_impressions) as no_purch_p3_impressions
,SUM(pre_purch_p3_impressions) as pre_purch_p3_impressions
,SUM(post_purch_p3_impressions) as post_purch_p3_impressions
,SUM(other_p3_impressions) as other_p3_impressions
,SUM(total_p3_impressions) as total_p3_impressions
,SUM(sales) as sales
FROM binned_data
GROUP BY exposure_group
)
SELECT
a.exposure_group
,users_that_purchased
,impression_reach
,purchases
,sales
FROM users_all_exp a
LEFT JOIN users_purchased_exp p
ON a.exposure_group = p.exposure_group
