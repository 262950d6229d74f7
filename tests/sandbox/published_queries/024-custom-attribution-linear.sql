-- source: AMC instructional query library, "Custom attribution - linear" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH traffic AS (
  SELECT
    DISTINCT campaign,
    campaign_id_string,
    ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
    AND ad_product_type = 'sponsored_products'
  UNION ALL
    SELECT
    DISTINCT campaign,
    campaign_id_string,
    ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
    AND ad_product_type = 'sponsored_brands'
  UNION ALL
      SELECT
    DISTINCT campaign,
    campaign_id_string,
    ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
    AND ad_product_type = 'sponsored_display'
  UNION ALL
  SELECT
    DISTINCT campaign,
    campaign_id_string,
    ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
    AND ad_product_type = 'sponsored_television'
  UNION ALL
  SELECT
    DISTINCT campaign,
    campaign_id_string,
    'dsp' AS ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
),
purchase_conversions AS (
  SELECT
    tracked_item AS ASIN,
    engagement_scope,
    campaign,
    campaign_id_string,
    user_id,
    SUM(conversions) AS purchases
  FROM
    conversions_with_relevance c
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
    AND c.user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3,
    4,
    5
),
combined AS (
  SELECT
    ASIN,
    engagement_scope,
    t.campaign,
    ad_product_type,
    SUM(purchases) AS purchases,
    COUNT(DISTINCT c.user_id) AS users_that_purchased
  FROM
    purchase_conversions c
    JOIN traffic t ON c.campaign_id_string = t.campaign_id_string
    AND c.user_id = t.user_id
  GROUP BY
    1,
    2,
    3,
    4
),
dsp_campaign_ids AS (
  SELECT
    DISTINCT campaign,
    campaign_id_string
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P28D', 'P0D')
    )
)
SELECT
  ASIN,
  engagement_scope,
  c.campaign,
  d.campaign_id_string,
  ad_product_type,
  purchases,
  users_that_purchased
FROM
  combined c
  LEFT JOIN dsp_campaign_ids d ON c.campaign = d.campaign
