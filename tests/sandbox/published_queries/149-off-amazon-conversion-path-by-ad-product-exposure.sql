-- source: AMC instructional query library, "Off-Amazon conversion path by ad product exposure" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS (
   SELECT
     ad_product_type AS campaign_group,
     'sponsored ads' AS product_type,
     user_id,
     MIN(event_dt_utc) AS impression_dt,
     SUM(impressions) AS impressions,
     SUM(spend) AS total_cost
   FROM
     sponsored_ads_traffic
   WHERE
     user_id IS NOT NULL
   AND
     ad_product_type IS NOT NULL
   GROUP BY
     1,
     2,
     3
),
off_amazon_purchases_total AS (
   SELECT
    order_id AS conversion_id,
    date_utc AS purchase_dt,
    user_id,
    sales AS off_amazon_sales
   FROM
    first_party_conversions_table
   WHERE
     sales > 0
   AND
     user_id IS NOT NULL
),
off_amazon_match_purchase_impressions AS (
   SELECT
     op.user_id as off_user_id,
     i.user_id as imp_user_id,
     campaign_group,
     impression_dt,
     purchase_dt,
     conversion_id,
     off_amazon_sales,
     seconds_between(impression_dt,purchase_dt) AS days_between
   FROM
     off_amazon_purchases_total op
   JOIN
     impressions i ON op.user_id = i.user_id
   WHERE
     i.impression_dt < op.purchase_dt
),
combined_off_amazon_match_purchase_impressions AS (
   SELECT
     imp_user_id,
     impression_dt,
     campaign_group,
     purchase_dt,
     conversion_id,
     off_amazon_sales,
     ROW_NUMBER() OVER (
        PARTITION BY imp_user_id, conversion_id
        ORDER BY impression_dt DESC) AS conversion_order
   FROM
     off_amazon_match_purchase_impressions
   WHERE
     days_between <= 60 * 60 * 24 * 14
),
ad_attributed_off_amazon_purchases_total AS (
    SELECT
     imp_user_id AS user_id,
     impression_dt,
     campaign_group,
     purchase_dt,
     conversion_id,
     off_amazon_sales
    FROM
     combined_off_amazon_match_purchase_impressions a
    WHERE
     conversion_order = 1
),
ad_attributed_off_amazon_purchases AS (
    SELECT
     user_id,
     MIN(purchase_dt) AS purchase_dt,
     SUM(off_amazon_sales) AS off_amazon_sales
    FROM
     ad_attributed_off_amazon_purchases_total
    GROUP BY
     1
),
filter_impressions AS (
  SELECT
    i.user_id AS imp_user_id,
    i.campaign_group,
    i.impressions,
    i.impression_dt,
    i.product_type,
    IF(
      i.product_type = 'DSP',
      (i.total_cost / 1e5),
      (i.total_cost / 1e8)
    ) AS total_cost,
    c.user_id AS pur_user_id,
    c.purchase_dt,
    COALESCE(c.off_amazon_sales, 0) AS off_amazon_sales
  FROM
    impressions i
    LEFT JOIN ad_attributed_off_amazon_purchases c ON c.user_id = i.user_id
  WHERE
    (
      c.user_id IS NOT NULL
      AND i.impression_dt < c.purchase_dt
    )
    OR c.user_id IS NULL
),
ranked AS (
 SELECT
    imp_user_id,
    campaign_group,
      ROW_NUMBER() OVER (
        PARTITION BY f.imp_user_id
        ORDER BY
          campaign_group ASC
      ) AS campaign_order
  FROM
    filter_impressions f
  WHERE
    f.imp_user_id IS NOT NULL
),
assembled AS (
  SELECT
    imp_user_id,
    ARRAY_SORT(COLLECT(DISTINCT a.campaign_group)) AS path
  FROM
    ranked a
  GROUP BY
    1
),
filter_impressions_dedupe AS (
  SELECT
    imp_user_id,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost,
    MAX(off_amazon_sales) AS off_amazon_sales,
    MAX(IF(pur_user_id IS NOT NULL, 1, 0)) AS converted
  FROM
    filter_impressions
  GROUP BY
    1
),
assembled_with_imp_conv AS (
  SELECT
    path,
    COUNT(DISTINCT a.imp_user_id) AS reach,
    SUM(b.impressions) AS impressions,
    SUM(b.total_cost) AS total_cost,
    SUM(b.converted) AS total_users_that_purchased,
    SUM(b.off_amazon_sales) AS off_amazon_sales
  FROM
    assembled a
    LEFT JOIN filter_impressions_dedupe b ON a.imp_user_id = b.imp_user_id
  GROUP BY
    1
)
  SELECT
   path AS exposure,
   reach AS audience_reach,
   impressions,
   total_cost,
   total_users_that_purchased,
   total_users_that_purchased / reach AS conversion_rate,
   off_amazon_sales as total_off_amazon_ad_attributed_sales
  FROM
   assembled_with_imp_conv
