-- source: AMC instructional query library, "Time of day performance" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS (
  SELECT
    user_id,
    SUM(impressions) AS impressions,
    SUM(total_cost / 100000) AS ad_spend,
    advertiser,
    impression_hour,
    impression_date,
    impression_dt_utc,
    campaign
  FROM
    dsp_impressions
  GROUP BY
    user_id,
    impression_hour,
    impression_date,
    impression_dt_utc,
    advertiser,
    campaign
  UNION ALL
  SELECT
    user_id,
    SUM(impressions) AS impressions,
    SUM(spend / 100000000) AS ad_spend,
    advertiser,
    event_hour AS impression_hour,
    event_date AS impression_date,
    event_dt_utc AS impression_dt_utc,
    campaign
  FROM
    sponsored_ads_traffic
  GROUP BY
    user_id,
    impression_hour,
    impression_date,
    event_dt_utc,
    advertiser,
    campaign
)
,
conversions AS (
  SELECT
    user_id,
    advertiser,
    SUM(product_sales) AS product_sales,
    SUM(purchases) AS purchases,
    SUM(units_sold) AS units_sold,
    campaign,
    ad_product_type,
    SUM(total_product_sales) AS total_product_sales,
    CASE
      WHEN traffic_event_subtype = 'AD_CLICK' then click_hour
      WHEN traffic_event_subtype = 'AD_IMP' then impression_hour
    end as impression_hour,
    CASE
      WHEN traffic_event_subtype = 'AD_CLICK' then click_date
      WHEN traffic_event_subtype = 'AD_IMP' then impression_date
    end as impression_date
  FROM
    amazon_attributed_events_by_conversion_time
  WHERE
    purchases > 0
    AND user_id IS NOT NULL
  GROUP BY
    user_id,
    impression_hour,
    impression_date,
    traffic_event_subtype,
    click_hour,
    click_date,
    advertiser,
    campaign,
    ad_product_type
)
,
assembled_with_imp_conv AS (
  SELECT
    b.advertiser,
    b.campaign,
    (
      CASE
        WHEN b.impression_hour <= 8 THEN 'Early Morning'
        WHEN b.impression_hour <= 12 THEN 'Morning'
        WHEN b.impression_hour <= 16 THEN 'Afternoon'
        WHEN b.impression_hour <= 20 THEN 'Late Afternoon'
        WHEN b.impression_hour <= 23 THEN 'Evening'
        ELSE 'Unknown'
      END
    ) AS day_part,
    EXTRACT(
      DOW
      FROM
        b.impression_date
    ) AS day_of_week,
    b.impression_hour,
    b.impression_date,
    c.ad_product_type,
    SUM(b.impressions) AS impressions,
    SUM(b.ad_spend) AS ad_spend,
    COUNT(DISTINCT b.user_id) AS unique_reach,
    COUNT(DISTINCT c.user_id) AS users_that_purchased,
    SUM(c.product_sales) AS sales_amount,
    SUM(c.purchases) AS purchases,
    SUM(c.units_sold) AS units_sold,
    SUM(c.total_product_sales) AS sales_amount_brand
  FROM
    impressions b
    LEFT JOIN conversions c ON b.advertiser = c.advertiser
    AND b.user_id = c.user_id
    AND b.impression_hour = c.impression_hour
    AND b.impression_date = c.impression_date
    AND b.campaign = c.campaign
  GROUP BY
    b.impression_hour,
    b.impression_date,
    b.campaign,
    b.advertiser,
    day_part,
    day_of_week,
    c.ad_product_type
)
SELECT
  advertiser,
  campaign,
  CASE
    WHEN ad_product_type IS NULL THEN 'DSP'
    ELSE ad_product_type
  END AS ad_product_type,
  impression_hour,
  impression_date,
  day_part,
  day_of_week,
  unique_reach,
  impressions,
  ad_spend,
  (ad_spend / sales_amount) * 100 AS ACOS,
  (sales_amount / ad_spend) AS ROAS,
  users_that_purchased,
  sales_amount,
  sales_amount_brand,
  purchases,
  units_sold,
  (purchases / unique_reach) AS purchase_rate
FROM
  assembled_with_imp_conv
