-- source: AMC instructional query library, "Tentpole phase overlap" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS (
  SELECT
    campaign,
    campaign_id,
    campaign_start_date,
    campaign_end_date,
    SUM(impressions) AS impressions,
    SUM(total_cost / 100000) AS ad_spend
  FROM
    dsp_impressions
  GROUP BY
    1,
    2,
    3,
    4
  UNION ALL
  SELECT
    campaign,
    -1 AS campaign_id,
    campaign_start_date,
    campaign_end_date,
    SUM(impressions) AS impressions,
    SUM(spend / 100000000) AS ad_spend
  FROM
    sponsored_ads_traffic
  GROUP BY
    1,
    2,
    3,
    4
),
pixel_conversions AS (
  SELECT
    campaign,
    campaign_id,
    ad_product_type,
    tracked_item,
    SUM(conversions) AS pixel_conversions
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    user_id IS NOT NULL
    AND conversions > 0
    AND conversion_event_category = 'pixel'
  GROUP BY
    1,
    2,
    3,
    4
),
initial_aggregation AS (
  SELECT
    I.campaign,
    I.campaign_id,
    C.ad_product_type,
    I.campaign_start_date,
    I.campaign_end_date,
    C.tracked_item AS tracked_pixel,
    SUM(I.impressions) AS impressions,
    SUM(I.ad_spend) AS ad_spend,
    SUM(C.pixel_conversions) AS pixel_conversions
  FROM
    impressions I
    LEFT JOIN pixel_conversions C ON I.campaign = C.campaign
  GROUP BY
    1,
    2,
    3,
    4,
    5,
    6
)
SELECT
  IA.campaign,
  IA.campaign_id,
  IA.ad_product_type,
  IA.campaign_start_date,
  IA.campaign_end_date,
  ARRAY_SORT(COLLECT(DISTINCT IA.tracked_pixel)) AS tracked_pixel,
  SUM(IA.impressions) AS impressions,
  SUM(IA.ad_spend) AS ad_spend,
  SUM(IA.pixel_conversions) AS pixel_conversions
FROM
  initial_aggregation IA
GROUP BY
  1,
  2,
  3,
  4,
  5
