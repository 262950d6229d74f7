-- source: AMC instructional query library, "Custom attribution - first touch" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH
dsp_campaigns (campaign_id_string) AS (
 VALUES
 ('1111111111'),
 ('2222222222'),
 ('3333333333'),
 ('4444444444')
),
dsp_traffic_type (traffic_event_type) AS (
 VALUES
 ('IMP'),
 ('CLICK')
),
sp_campaigns (campaign) AS (
 VALUES
 ('campaign_name_1'),
 ('campaign_name_2'),
 ('campaign_name_3'),
 ('campaign_name_4')
),
sd_campaigns (campaign) AS (
 VALUES
 ('campaign_name_1'),
 ('campaign_name_2'),
 ('campaign_name_3'),
 ('campaign_name_4')
),
sb_campaigns (campaign) AS (
 VALUES
 ('campaign_name_1'),
 ('campaign_name_2'),
 ('campaign_name_3'),
 ('campaign_name_4')
),
st_campaigns (campaign) AS (
 VALUES
 ('campaign_name_1'),
 ('campaign_name_2'),
 ('campaign_name_3'),
 ('campaign_name_4')
),
sp_traffic_type (traffic_event_type) AS (
 VALUES
 ('CLICK')
),
sd_traffic_type (traffic_event_type) AS (
 VALUES
 ('CLICK')
),
sb_traffic_type (traffic_event_type) AS (
 VALUES
 ('CLICK')
),
st_traffic_type (traffic_event_type) AS (
 VALUES
 ('IMP'),
 ('CLICK')
),
traffic AS (
 SELECT
 user_id,
 'dsp' AS ad_product_type,
 campaign_id_string,
 campaign,
 traffic_dt_utc,
 traffic_event_type,
 impressions,
 clicks
 FROM (
 SELECT
 user_id,
 campaign_id_string,
 campaign,
 traffic_dt_utc,
 traffic_event_type,
 impressions,
 clicks,
 ROW_NUMBER() OVER (
 PARTITION BY user_id, campaign_id_string, request_tag
 ORDER BY
 CASE
 WHEN traffic_event_type = 'CLICK' THEN 1
 WHEN traffic_event_type = 'IMP' THEN 2
 ELSE 3
 END ASC,
 traffic_dt_utc DESC
 ) as event_priority
 FROM (
 SELECT
 user_id,
 'dsp' AS ad_product_type,
 campaign_id_string,
 campaign,
 request_tag,
 impression_dt_utc as traffic_dt_utc,
 'IMP' AS traffic_event_type,
 impressions,
 0 AS clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('dsp_impressions', 'P28D', 'P0D')
 )
 WHERE
 campaign_id_string IN (
 SELECT campaign_id_string FROM dsp_campaigns
 )
 AND user_id IS NOT NULL
 AND NOT COALESCE(supply_source_is_view_aware, TRUE)
 AND NOT COALESCE(placement_is_view_aware, TRUE)
 AND RANDOM() < COALESCE(placement_view_rate, supply_source_view_rate, 1.0)
 UNION ALL
 SELECT
 user_id,
 'dsp' AS ad_product_type,
 campaign_id_string,
 campaign,
 impression_id AS request_tag,
 event_dt_utc as traffic_dt_utc,
 'IMP' AS traffic_event_type,
 viewable_impressions + unmeasurable_viewable_impressions AS impressions,
 0 AS clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('dsp_views', 'P28D', 'P0D')
 )
 WHERE
 (event_type = 'VIEW' OR event_type = 'SYNTHETIC_VIEW')
 AND campaign_id_string IN (SELECT campaign_id_string FROM dsp_campaigns)
 AND user_id IS NOT NULL
 UNION ALL
 SELECT
 user_id,
 'dsp' AS ad_product_type,
 campaign_id_string,
 campaign,
 request_tag,
 impression_dt_utc as traffic_dt_utc,
 'CLICK' AS traffic_event_type,
 0 AS impressions,
 clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('dsp_clicks', 'P28D', 'P0D')
 )
 WHERE
 campaign_id_string IN (SELECT campaign_id_string FROM dsp_campaigns)
 AND user_id IS NOT NULL
 )
 )
 WHERE event_priority = 1
 UNION ALL
 SELECT
 user_id,
 ad_product_type,
 campaign_id_string,
 campaign,
 event_dt_utc AS traffic_dt_utc,
 (
 CASE
 WHEN clicks < 1 THEN 'IMP'
 ELSE 'CLICK'
 END
 ) AS traffic_event_type,
 impressions,
 clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
 )
 WHERE
 campaign IN (
 SELECT
 campaign
 FROM
 sp_campaigns
 )
 AND user_id IS NOT NULL
 UNION ALL
 SELECT
 user_id,
 ad_product_type,
 campaign_id_string,
 campaign,
 event_dt_utc AS traffic_dt_utc,
 (
 CASE
 WHEN clicks < 1 THEN 'IMP'
 ELSE 'CLICK'
 END
 ) AS traffic_event_type,
 impressions,
 clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
 )
 WHERE
 campaign IN (
 SELECT
 campaign
 FROM
 sd_campaigns
 )
 AND user_id IS NOT NULL
 UNION ALL
 SELECT
 user_id,
 ad_product_type,
 campaign_id_string,
 campaign,
 event_dt_utc AS traffic_dt_utc,
 (
 CASE
 WHEN clicks < 1 THEN 'IMP'
 ELSE 'CLICK'
 END
 ) AS traffic_event_type,
 impressions,
 clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
 )
 WHERE
 campaign IN (
 SELECT
 campaign
 FROM
 sb_campaigns
 )
 AND user_id IS NOT NULL
 UNION ALL
 SELECT
 user_id,
 ad_product_type,
 campaign_id_string,
 campaign,
 event_dt_utc AS traffic_dt_utc,
 (
 CASE
 WHEN clicks < 1 THEN 'IMP'
 ELSE 'CLICK'
 END
 ) AS traffic_event_type,
 impressions,
 clicks
 FROM
 TABLE(
 EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
 )
 WHERE
 campaign IN (
 SELECT
 campaign
 FROM
 st_campaigns
 )
 AND user_id IS NOT NULL
),
cwr AS(
 SELECT
 conversion_id,
 campaign_id_string,
 campaign,
 conversions,
 total_units_sold,
 total_product_sales,
 user_id,
 event_category,
 event_dt_utc
 FROM
 conversions_with_relevance
 WHERE
 event_category = 'purchase'
 AND user_id IS NOT NULL
),
matched AS (
 SELECT
 c.conversion_id,
 c.campaign_id_string,
 c.campaign,
 IF(t.traffic_event_type = 'CLICK', 1, 2) AS match_type,
 SECONDS_BETWEEN(t.traffic_dt_utc, c.event_dt_utc) AS match_age,
 c.conversions,
 c.total_units_sold,
 c.total_product_sales,
 c.user_id
 FROM
 cwr c
 JOIN traffic t ON (
 c.user_id = t.user_id
 AND c.campaign_id_string = t.campaign_id_string
 )
 WHERE
 t.campaign_id_string IN (
 SELECT
 campaign_id_string
 FROM
 dsp_campaigns
 )
 AND t.traffic_event_type IN (
 SELECT
 traffic_event_type
 FROM
 dsp_traffic_type
 )
 UNION ALL
 SELECT
 c.conversion_id,
 c.campaign_id_string,
 c.campaign,
 IF(t.traffic_event_type = 'CLICK', 1, 2) AS match_type,
 SECONDS_BETWEEN(t.traffic_dt_utc, c.event_dt_utc) AS match_age,
 c.conversions,
 c.total_units_sold,
 c.total_product_sales,
 c.user_id
 FROM
 traffic t
 JOIN cwr c ON (
 c.user_id = t.user_id
 AND c.campaign = t.campaign
 )
 WHERE
 t.campaign IN (
 SELECT
 campaign
 FROM
 sp_campaigns
 )
 AND t.traffic_event_type IN (
 SELECT
 traffic_event_type
 FROM
 sp_traffic_type
 )
 UNION ALL
 SELECT
 c.conversion_id,
 c.campaign_id_string,
 c.campaign,
 IF(t.traffic_event_type = 'CLICK', 1, 2) AS match_type,
 SECONDS_BETWEEN(t.traffic_dt_utc, c.event_dt_utc) AS match_age,
 c.conversions,
 c.total_units_sold,
 c.total_product_sales,
 c.user_id
 FROM
 traffic t
 JOIN cwr c ON (
 c.user_id = t.user_id
 AND c.campaign = t.campaign
 )
 WHERE
 t.campaign IN (
 SELECT
 campaign
 FROM
 sd_campaigns
 )
 AND t.traffic_event_type IN (
 SELECT
 traffic_event_type
 FROM
 sd_traffic_type
 )
 UNION ALL
 SELECT
 c.conversion_id,
 c.campaign_id_string,
 c.campaign,
 IF(t.traffic_event_type = 'CLICK', 1, 2) AS match_type,
 SECONDS_BETWEEN(t.traffic_dt_utc, c.event_dt_utc) AS match_age,
 c.conversions,
 c.total_units_sold,
 c.total_product_sales,
 c.user_id
 FROM
 traffic t
 JOIN cwr c ON (
 c.user_id = t.user_id
 AND c.campaign = t.campaign
 )
 WHERE
 t.campaign IN (
 SELECT
 campaign
 FROM
 sb_campaigns
 )
 AND t.traffic_event_type IN (
 SELECT
 traffic_event_type
 FROM
 sb_traffic_type
 )
 UNION ALL
 SELECT
 c.conversion_id,
 c.campaign_id_string,
 c.campaign,
 IF(t.traffic_event_type = 'CLICK', 1, 2) AS match_type,
 SECONDS_BETWEEN(t.traffic_dt_utc, c.event_dt_utc) AS match_age,
 c.conversions,
 c.total_units_sold,
 c.total_product_sales,
 c.user_id
 FROM
 traffic t
 JOIN cwr c ON (
 c.user_id = t.user_id
 AND c.campaign = t.campaign
 )
 WHERE
 t.campaign IN (
 SELECT
 campaign
 FROM
 st_campaigns
 )
 AND t.traffic_event_type IN (
 SELECT
 traffic_event_type
 FROM
 st_traffic_type
 )
),
ranked AS (
 SELECT
 campaign_id_string,
 campaign,
 ROW_NUMBER() OVER(
 PARTITION BY conversion_id
 ORDER BY
 match_age DESC,
 match_type ASC
 ) AS match_rank,
 conversions,
 total_units_sold,
 total_product_sales,
 user_id
 FROM
 matched
 WHERE
 match_age BETWEEN 0 AND 28 * 24 * 60 * 60
),
attributed_conversions AS (
 SELECT
 r.campaign_id_string,
 r.campaign,
 COUNT(DISTINCT user_id) users_that_converted,
 SUM(r.conversions) AS conversions,
 SUM(r.total_units_sold) AS total_units_sold,
 SUM(r.total_product_sales) AS total_product_sales
 FROM
 ranked r
 WHERE
 r.match_rank = 1
 GROUP BY
 1,
 2
),
traffic_campaigns AS (
 SELECT
 campaign_id_string,
 campaign,
 ad_product_type,
 COUNT(DISTINCT user_id) user_reach,
 SUM(impressions) AS impressions,
 SUM(clicks) AS clicks
 FROM
 traffic
 GROUP BY
 1,
 2,
 3
)
SELECT
 'First Touch' AS attribution_model,
 c.campaign_id_string,
 c.campaign,
 t.ad_product_type,
 t.impressions,
 t.clicks,
 t.user_reach,
 c.users_that_converted,
 c.conversions,
 c.users_that_converted / t.user_reach AS conversion_rate,
 c.total_units_sold,
 c.total_product_sales
FROM
 attributed_conversions c
 JOIN traffic_campaigns t ON c.campaign = t.campaign
