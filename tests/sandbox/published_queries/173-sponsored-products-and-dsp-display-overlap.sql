-- source: AMC instructional query library, "Sponsored Products and DSP Display overlap" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
with Display (campaign_id) AS (
    VALUES (11111111111),(2222222222)
  ),
SP (campaign) AS (
    VALUES ('SP_campaign_name1'),('SP_campaign_name2')
  ),
purchases AS (
    SELECT user_id
         , conversion_event_dt
         , UUID() AS conversion_id
         , SUM(if(ad_product_type IS NULL, purchases, 0)) AS display_purchases
         , SUM(IF(ad_product_type = 'sponsored_products',
            total_purchases_clicks, 0)) AS search_purchases
         FROM amazon_attributed_events_by_traffic_time
         WHERE (
         campaign_id IN (SELECT campaign_id FROM Display)
         OR
         campaign IN (SELECT campaign FROM SP ))
    GROUP BY 1, 2, 3
),
     purchases_last_total as
         (
             SELECT user_id
                  , max(conversion_event_dt) AS conversion_event_dt_last
                  , sum(display_purchases + search_purchases) AS purchases
                  , sum(display_purchases) AS display_purchases
                  , sum(search_purchases) AS search_purchases
             FROM purchases
             WHERE display_purchases + search_purchases > 0
             GROUP BY 1
         ),
     impressions AS (
         SELECT user_id
              , UUID()           AS impression_id
              , event_dt         AS impression_dt
              , 'SP'             AS IMP_ad_type
              , sum(impressions) AS impressions
         FROM sponsored_ads_traffic
         WHERE impressions > 0
           AND ad_product_type = 'sponsored_products'
        AND campaign IN (SELECT campaign from SP)
         GROUP BY 1, 2, 3
         UNION ALL
         SELECT user_id
              , UUID()           AS impression_id
              , impression_dt    AS impression_dt
              , 'DISPLAY'        AS IMP_ad_type
              , sum(impressions) AS impressions
         FROM dsp_impressions
         WHERE impressions > 0
         AND campaign_id IN (SELECT campaign_id FROM Display)
         GROUP BY 1, 2, 3
     ),
     impressions_first_total as
         (
             SELECT user_id
                  , IMP_ad_type
                  , min(impression_dt) AS impression_dt_first
                  , sum(impressions)   AS impressions
             from impressions
             GROUP BY 1, 2
         ),
     combined AS (
         SELECT imp.user_id AS imp_USER
              , pur.user_id AS pur_USER
              , IMP_ad_type
              , impressions
              , impression_dt_first
              , purchases
              , display_purchases
              , search_purchases
              , conversion_event_dt_last
              , CASE
                    WHEN conversion_event_dt_last IS NULL THEN 'no purchase'
                    WHEN conversion_event_dt_last > impression_dt_first THEN
                    'pre-purchase'
                    WHEN conversion_event_dt_last < impression_dt_first THEN
                    'post-purchase'
                    ELSE 'other'
             END            AS impression_timing
         FROM purchases_last_total pur
                  FULL OUTER JOIN impressions_first_total imp
                                  ON pur.user_id = imp.user_id
     ),
     binned_data AS (
         SELECT imp_USER
              , pur_USER
              , SUM(IF(impression_timing = 'no purchase'
                    AND IMP_ad_type = 'DISPLAY', impressions,
                       0)) AS no_purch_DISPLAY_impressions
              , SUM(IF(impression_timing = 'pre-purchase'
                    AND IMP_ad_type = 'DISPLAY', impressions,
                       0)) AS pre_purch_DISPLAY_impressions
              , SUM(IF(impression_timing = 'post-purchase'
                    AND IMP_ad_type = 'DISPLAY', impressions,
                       0)) AS post_purch_DISPLAY_impressions
              , SUM(IF(impression_timing = 'other'
                    AND IMP_ad_type = 'DISPLAY', impressions,
                       0)) AS other_DISPLAY_impressions
              , SUM(IF(IMP_ad_type = 'DISPLAY', impressions, 0))
                    AS total_DISPLAY_impressions
              , SUM(IF(impression_timing = 'no purchase'
                    AND IMP_ad_type = 'SP', impressions,
                       0)) AS no_purch_SP_impressions
              , SUM(IF(impression_timing = 'pre-purchase'
                    AND IMP_ad_type = 'SP', impressions,
                       0)) AS pre_purch_SP_impressions
              , SUM(IF(impression_timing = 'post-purchase'
                    AND IMP_ad_type = 'SP', impressions,
                       0)) AS post_purch_SP_impressions
              , SUM(
                 IF(impression_timing = 'other'
                    AND IMP_ad_type = 'SP', impressions, 0)) AS other_SP_impressions
              , SUM(IF(IMP_ad_type = 'SP', impressions, 0))  AS total_SP_impressions
              , MAX(purchases)                               AS purchases
              , MAX(display_purchases)                       AS display_purchases
              , MAX(search_purchases)                        AS search_purchases
         FROM combined
         GROUP BY 1, 2
     ),
 users_purchased as
         (SELECT imp_USER
             , pur_USER
             , SUM(no_purch_DISPLAY_impressions)  AS no_purch_DISPLAY_impressions
             , SUM(pre_purch_DISPLAY_impressions) AS pre_purch_DISPLAY_impressions
             , SUM(no_purch_SP_impressions)       AS no_purch_SP_impressions
             , SUM(pre_purch_SP_impressions)      AS pre_purch_SP_impressions
             FROM binned_data
             WHERE purchases > 0
             GROUP BY 1, 2),
 users_purchased_exp AS
        (SELECT IF(
           (pre_purch_DISPLAY_impressions > 0 AND pre_purch_SP_impressions > 0) OR
             (no_purch_DISPLAY_impressions > 0 AND no_purch_SP_impressions > 0),
              'both',
                 IF(
                 (pre_purch_DISPLAY_impressions > 0
                  OR no_purch_DISPLAY_impressions > 0)
                AND (pre_purch_SP_impressions = 0 AND no_purch_SP_impressions = 0),
               'DISPLAY',
                 IF(
                  (pre_purch_DISPLAY_impressions = 0
                   AND no_purch_DISPLAY_impressions = 0) AND
                   (pre_purch_SP_impressions > 0
                    OR no_purch_SP_impressions > 0), 'SP',
                  IF(
                     pre_purch_DISPLAY_impressions = 0 AND
                     no_purch_DISPLAY_impressions = 0 AND
                     pre_purch_SP_impressions = 0 AND
                     no_purch_SP_impressions = 0, 'none', 'NA')
                           )))   AS exposure_group
            , COUNT(DISTINCT imp_USER) AS users_that_purchased_with_impressions
            , COUNT(DISTINCT pur_USER) AS users_that_purchased
             FROM users_purchased
             GROUP BY exposure_group
         ),
users_all_exp as
(SELECT IF(
 (pre_purch_DISPLAY_impressions > 0 AND pre_purch_SP_impressions > 0) OR
   (no_purch_DISPLAY_impressions > 0 AND no_purch_SP_impressions > 0), 'both',
     IF(
   (pre_purch_DISPLAY_impressions > 0 OR no_purch_DISPLAY_impressions > 0) AND
      (pre_purch_SP_impressions = 0 AND no_purch_SP_impressions = 0), 'DISPLAY',
         IF(
         (pre_purch_DISPLAY_impressions = 0 AND no_purch_DISPLAY_impressions = 0)
         AND (pre_purch_SP_impressions > 0 OR no_purch_SP_impressions > 0), 'SP',
             IF(
                pre_purch_DISPLAY_impressions = 0
                AND no_purch_DISPLAY_impressions = 0
                AND pre_purch_SP_impressions = 0
                AND no_purch_SP_impressions = 0, 'none', 'NA')
                    ))) AS exposure_group
           , COUNT(DISTINCT imp_USER)            AS unique_reach
           , SUM(purchases)                      AS purchases
           , sum(display_purchases)              AS display_purchases
           , sum(search_purchases)               AS search_purchases
           , SUM(no_purch_DISPLAY_impressions)   AS no_purch_DISPLAY_impressions
           , SUM(pre_purch_DISPLAY_impressions)  AS pre_purch_DISPLAY_impressions
           , SUM(post_purch_DISPLAY_impressions) AS post_purch_DISPLAY_impressions
           , SUM(other_DISPLAY_impressions)      AS other_DISPLAY_impressions
           , SUM(total_DISPLAY_impressions)      AS total_DISPLAY_impressions
           , SUM(no_purch_SP_impressions)        AS no_purch_SP_impressions
           , SUM(pre_purch_SP_impressions)       AS pre_purch_SP_impressions
           , SUM(post_purch_SP_impressions)      AS post_purch_SP_impressions
           , SUM(other_SP_impressions)           AS other_SP_impressions
           , SUM(total_SP_impressions)           AS total_SP_impressions
          FROM binned_data
          GROUP BY exposure_group
         )
SELECT a.exposure_group
     , unique_reach
     , users_that_purchased
     , purchases
FROM users_all_exp a
         LEFT JOIN users_purchased_exp p
                   ON a.exposure_group = p.exposure_group
