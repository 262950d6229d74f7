-- source: AMC instructional query library, "Custom attribution overview" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH traffic AS (
  SELECT
    DISTINCT campaign,
    ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('sponsored_ads_traffic', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
  UNION ALL
  SELECT
    DISTINCT campaign,
    'dsp' AS ad_product_type,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P28D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
),
conv AS (
  SELECT
    DISTINCT campaign,
    user_id
  FROM
    conversions_with_relevance c
  WHERE
    c.user_id IS NOT NULL
)
SELECT
  c.campaign,
  ad_product_type,
  COUNT(DISTINCT c.user_id) AS count_distinct_users_with_conversion
FROM
  conv c
  JOIN traffic t ON c.campaign = t.campaign
  AND c.user_id = t.user_id
GROUP BY
  1,
  2
