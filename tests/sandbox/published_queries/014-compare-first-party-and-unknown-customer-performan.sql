-- source: AMC instructional query library, "Compare first-party and unknown customer performance" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH dsp_campaigns (campaign_id_string) AS (
  VALUES
    (1111111111111),
    (2222222222222)
),
sa_campaigns (campaign_id_string) AS (
  VALUES
    (3333333333333),
    (4444444444444),
    (5555555555555)
),
known_customers AS (
  SELECT
    DISTINCT(user_id),
    'known' AS customer_set
  FROM
  WHERE
    user_id IS NOT NULL
),
known_customer_count AS (
  SELECT
    'known' AS customer_set,
    COUNT(DISTINCT user_id) AS audience_size
  FROM
    known_customers
),
impressions AS (
  SELECT
    user_id,
    'amazon_dsp' AS ad_product_type,
    SUM(impressions) AS impressions,
    (SUM(total_cost) / 100000) AS spend
  FROM
    dsp_impressions
    AND user_id IS NOT NULL
  GROUP BY
    1,
    2
  UNION ALL
  SELECT
    user_id,
    ad_product_type,
    SUM(impressions) AS impressions,
    (SUM(spend) / 100000000) AS spend
  FROM
    sponsored_ads_traffic
    AND user_id IS NOT NULL
  GROUP BY
    1,
    2
),
impressions_by_customer_set AS (
  SELECT
    i.user_id,
    COALESCE (kc.customer_set, 'unknown') AS customer_set,
    i.ad_product_type,
    i.impressions,
    i.spend
  FROM
    impressions AS i
    LEFT JOIN known_customers AS kc ON i.user_id = kc.user_id
),
conversions AS (
  SELECT
    user_id,
    COALESCE (ad_product_type, 'amazon_dsp') AS ad_product_type,
    SUM(purchases) AS purchases
  FROM
    amazon_attributed_events_by_traffic_time
    AND purchases > 0
    AND user_id IS NOT NULL
  GROUP BY
    1,
    2
),
combined AS (
  SELECT
    i.user_id AS imp_user_id,
    c.user_id AS conv_user_id,
    i.ad_product_type,
    i.customer_set,
    i.spend,
    i.impressions,
    CASE
      WHEN c.user_id IS NOT NULL
      AND purchases > 0 THEN 1
      ELSE 0
    END AS users_that_purchased,
    COALESCE (c.purchases, 0) AS purchases
  FROM
    impressions_by_customer_set AS i
    LEFT JOIN conversions AS c ON i.user_id = c.user_id
    AND i.ad_product_type = c.ad_product_type
),
add_customer_count AS (
  SELECT
    ad_product_type,
    c.customer_set,
    CASE
      WHEN c.customer_set = 'known' THEN kc.audience_size
      ELSE 'NA'
    END AS audience_size,
    COUNT(DISTINCT imp_user_id) AS unique_reach,
    SUM(spend) AS spend,
    SUM(impressions) AS impressions,
    SUM(users_that_purchased) AS users_that_purchased,
    SUM(purchases) AS purchases
  FROM
    combined c
    LEFT JOIN known_customer_count AS kc ON c.customer_set = kc.customer_set
  GROUP BY
    1,
    2,
    3
),
ad_product_cost AS (
  SELECT
    ad_product_type,
    SUM(spend) AS ad_product_type_spend
  FROM
    combined
  GROUP BY
    1
)
SELECT
  ft.ad_product_type,
  customer_set,
  audience_size,
  unique_reach,
  CASE
    WHEN customer_set = 'known' THEN ROUND((unique_reach / audience_size), 4)
    ELSE 'NA'
  END AS audience_reach,
  ROUND(spend, 2) AS spend,
  ROUND(spend / ad_product_type_spend, 4) AS percent_of_spend,
  impressions,
  users_that_purchased,
  purchases,
  ROUND((users_that_purchased / unique_reach), 4) AS user_purchase_rate
FROM
  add_customer_count ft
  LEFT JOIN ad_product_cost ap ON ft.ad_product_type = ap.ad_product_type
