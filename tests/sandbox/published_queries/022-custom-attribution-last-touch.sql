-- source: AMC instructional query library, "Custom attribution - last touch" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH ad_products AS (
  SELECT
    DISTINCT campaign,
    ad_product_type
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  UNION ALL
  SELECT
    DISTINCT campaign,
    'dsp' AS ad_product_type
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P28D', 'P0D')
    )
),
purchase_conversions AS(
  SELECT
    tracked_item AS ASIN,
    engagement_scope,
    c.campaign AS campaign_name,
    ad_product_type,
    SUM(conversions) AS purchases,
    COUNT(DISTINCT user_id) AS users_that_purchased
  FROM
    conversions_with_relevance c
    JOIN ad_products a ON c.campaign = a.campaign
  WHERE
    halo_code IN (
      'TRACKED_ASIN',
      'VARIATIONAL_ASIN',
      'BRAND_MARKETPLACE',
      'BRAND_GL_PRODUCT',
      'BRAND_CATEGORY',
      'BRAND_SUBCATEGORY'
    )
    AND event_category = 'purchase'
    AND user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  ASIN,
  engagement_scope,
  campaign_name,
  ad_product_type,
  purchases,
  users_that_purchased
FROM
  purchase_conversions
