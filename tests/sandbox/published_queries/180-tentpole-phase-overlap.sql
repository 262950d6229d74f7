-- source: AMC instructional query library, "Tentpole phase overlap" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
initial_aggregation AS (
  SELECT
    I.campaign,
    I.campaign_id,
    C.ad_product_type,
    I.campaign_start_date,
    I.campaign_end_date,
    C.tracked_asin AS tracked_asins,
    SUM(I.impressions) AS impressions,
    SUM(C.product_sales) AS promoted_sales,
    SUM(C.total_product_sales) AS total_sales,
    SUM(I.ad_spend) AS ad_spend
  FROM
    impressions I
    LEFT JOIN amazon_attributed_events_by_traffic_time C ON I.campaign = C.campaign
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
  ARRAY_SORT(COLLECT(DISTINCT IA.tracked_asins)) AS tracked_asins,
  SUM(IA.impressions) AS impressions,
  SUM(IA.promoted_sales) AS promoted_sales,
  SUM(IA.total_sales) AS total_sales,
  SUM(IA.ad_spend) AS ad_spend
FROM
  initial_aggregation IA
GROUP BY
  1,
  2,
  3,
  4,
  5
