-- source: AMC instructional query library, "Net-new reach by campaign group" (query 5 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS
(
SELECT
    user_id,
    MIN(event_date_utc) AS impression_dt_first,
    SUM(impressions) AS impressions,
    SUM (clicks) as clicks
FROM sponsored_ads_traffic a
WHERE
    user_id IS NOT NULL
    AND (
      ARRAY_CONTAINS(CUSTOM_PARAMETER('campaign_ids'), campaign_id_string)
      OR CUSTOM_PARAMETER('campaign_ids') IS NULL
      OR CARDINALITY(CUSTOM_PARAMETER('campaign_ids')) = 0
    )
    AND CAST(event_date_utc AS DATE) >= CUSTOM_PARAMETER('campaign_start_date')
GROUP BY user_id
),
converted AS
(
SELECT
  user_id,
  MAX(event_dt_utc) AS conversion_event_dt_last,
  SUM(conversions) AS dpv
FROM conversions_all
WHERE
  conversions > 0
   AND user_id IS NOT NULL
   AND event_type_description in ('Product detail page viewed')
 AND (
   ARRAY_CONTAINS(CUSTOM_PARAMETER('asins'), 'ALL')
   OR ARRAY_CONTAINS(CUSTOM_PARAMETER('asins'), tracked_item)
   OR CUSTOM_PARAMETER('asins') IS NULL
   OR CARDINALITY(CUSTOM_PARAMETER('asins')) = 0
 )
GROUP BY user_id
),
sales_conversion as (
SELECT
  user_id,
  SUM(total_product_sales) as total_purchases
FROM
  amazon_attributed_events_by_conversion_time
WHERE
  total_product_sales > 0
  AND user_id IS NOT NULL
  AND (
    ARRAY_CONTAINS(CUSTOM_PARAMETER('campaign_ids'), campaign_id_string)
    OR CUSTOM_PARAMETER('campaign_ids') IS NULL
    OR CARDINALITY(CUSTOM_PARAMETER('campaign_ids')) = 0
    )
GROUP BY
  user_id
),
identify_incr_reach AS
(
SELECT
    i.user_id as reach_user,
    b.user_id as dpv_user,
    i.impressions as imp,
    IF(SECONDS_BETWEEN(conversion_event_dt_last, impression_dt_first) <= (60*60*24*CUSTOM_PARAMETER('lookback_days')) AND b.conversion_event_dt_last < i.impression_dt_first AND i.impressions>0,
        1, 0) as users_in_rt_pool
FROM impressions i
LEFT JOIN converted b ON b.user_id = i.user_id
),
clicks AS
(
SELECT
    reach_user,
    imp as impressions_from_new,
    clicks as clicks_from_new,
    total_purchases as total_purchases_from_new
FROM identify_incr_reach iir
LEFT JOIN impressions sat on sat.user_id = iir.reach_user
LEFT JOIN sales_conversion s on s.user_id = iir.reach_user
WHERE
    users_in_rt_pool = 0
)
SELECT
    count(distinct reach_user) as new_new_reach,
    SUM(impressions_from_new) as new_new_impressions,
    SUM(clicks_from_new) as new_new_clicks,
    SUM(total_purchases_from_new) as new_new_sales,
    SUM(IF(clicks_from_new > 0,1, 0)) as new_new_users_who_clicked,
    SUM(IF(total_purchases_from_new > 0,1, 0)) as new_new_users_who_purchased,
    (SELECT sum(impressions) FROM impressions) as total_impressions,
    (SELECT count(distinct user_id) FROM impressions) as total_reach
FROM clicks
