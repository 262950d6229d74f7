-- source: AMC instructional query library, "Compare first-party and unknown customer performance" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS (
  SELECT
    campaign,
    campaign_id_string,
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
    campaign_id_string,
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
combined AS (
  SELECT
    i.campaign,
    i.campaign_id_string,
    c.ad_product_type,
    i.campaign_start_date,
    i.campaign_end_date,
    SUM(i.impressions) AS impressions,
    SUM(c.product_sales) AS promoted_sales,
    SUM(c.total_product_sales) AS total_sales,
    SUM(i.ad_spend) AS ad_spend
  FROM
    impressions AS i
    LEFT JOIN amazon_attributed_events_by_traffic_time AS c ON i.campaign_id_string = c.campaign_id_string
  GROUP BY
    1,
    2,
    3,
    4,
    5
)
SELECT
  campaign,
  campaign_id_string,
  COALESCE(ad_product_type, 'Amazon DSP') AS ad_product_type,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS impressions,
  SUM(promoted_sales) AS promoted_sales,
  SUM(total_sales) AS total_sales,
  SUM(ad_spend) AS ad_spend
FROM
  combined
GROUP BY
  1,
  2,
  3,
  4,
  5
