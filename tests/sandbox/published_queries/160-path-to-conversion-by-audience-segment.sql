-- source: AMC instructional query library, "Path to conversion by audience segment" (query 6 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH campaign_group (campaign_id_string, campaign_group) AS (
  VALUES
    ('991000000000000001', 'dsp'),
    ('991000000000000002', 'prime_video'),
    ('991000000000000003', 'olv')
),
impressions AS (
  SELECT
    COALESCE(dsp.campaign_group, 'DSP-Others') AS campaign_group,
    'DSP' AS product_type,
    user_id,
    MIN(impression_dt_utc) AS impression_dt_first,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost
  FROM
    dsp_impressions i
    INNER JOIN campaign_group dsp ON dsp.campaign_id_string = i.campaign_id_string
  WHERE
    user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3
  UNION ALL
  SELECT
    ad_product_type AS campaign_group,
    'SA' AS product_type,
    user_id,
    MIN(event_dt_utc) AS impression_dt_first,
    SUM(impressions) AS impressions,
    SUM(spend) AS total_cost
  FROM
    sponsored_ads_traffic s
    WHERE
    user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3
),
impressions_segment AS (
  SELECT
    user_id
  FROM
    audience_segments_amer_inmarket
  WHERE
    segment_marketplace_id = 1
    AND user_id IN (
      SELECT
        user_id
      FROM
        impressions
      GROUP BY
        1
    )
    AND user_id IS NOT NULL
    AND segment_id IN (9999)
  GROUP BY
    1
),
converted AS (
  SELECT
    user_id,
    MAX(conversion_event_dt_utc) AS conversion_event_dt_last,
    SUM(product_sales) AS product_sales,
    SUM(purchases) AS purchases,
    MAX(IF(new_to_brand = TRUE, 1, 0)) AS ntb_cust,
    SUM(new_to_brand_product_sales) AS ntb_product_sales,
    SUM(new_to_brand_purchases) AS ntb_purchases
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    purchases > 0
    AND user_id IS NOT NULL
    AND user_id IN (
      SELECT
        user_id
      FROM
        impressions_segment
      GROUP BY
        1
    )
    AND (campaign_id_string IN (Select d.campaign_id_string from campaign_group d) OR ad_product_type IS NOT NULL)
  GROUP BY
    1
),
filter_impressions AS (
  SELECT
    i.user_id AS imp_user_id,
    c.user_id AS pur_user_id,
    i.campaign_group,
    i.impressions,
    i.impression_dt_first,
    IF(
      i.product_type IN (
        'DSP'
      ),
      (i.total_cost / 100000),
      (i.total_cost / 100000000)
    ) AS total_cost,
    c.conversion_event_dt_last,
    COALESCE(c.product_sales, 0) AS product_sales,
    COALESCE(c.purchases, 0) AS purchases,
    COALESCE(c.ntb_cust, 0) AS ntb_cust,
    COALESCE(c.ntb_purchases, 0) AS ntb_purchases,
    COALESCE(c.ntb_product_sales, 0) AS ntb_product_sales
  FROM
    impressions i
    LEFT JOIN converted c ON c.user_id = i.user_id
  WHERE
    (
      (
        c.user_id IS NOT NULL
        AND i.impression_dt_first < c.conversion_event_dt_last
      )
      OR c.user_id IS NULL
    )
    AND i.user_id IN (
      SELECT
        user_id
      FROM
        impressions_segment
      GROUP BY
        1
    )
),
ranked AS (
  SELECT
    NAMED_ROW(
      'order',
      ROW_NUMBER() OVER (
        PARTITION BY f.imp_user_id
        ORDER BY
          f.impression_dt_first
      ),
      'campaign_group',
      f.campaign_group
    ) AS campaign_order,
    imp_user_id
  FROM
    filter_impressions f
  WHERE
    f.imp_user_id IS NOT NULL
),
assembled AS (
  SELECT
    ARRAY_SORT(COLLECT(DISTINCT a.campaign_order)) AS path,
    a.imp_user_id
  FROM
    ranked a
  GROUP BY
    a.imp_user_id
),
filter_impressions_dedupe AS (
  SELECT
    imp_user_id AS imp_user_id,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost,
    MAX(IF(pur_user_id IS NOT NULL, 1, 0)) AS converted,
    MAX(product_sales) AS product_sales,
    MAX(purchases) AS purchases,
    MAX(ntb_cust) AS ntb_cust,
    MAX(ntb_purchases) AS ntb_purchases,
    MAX(ntb_product_sales) AS ntb_product_sales
  FROM
    filter_impressions
  GROUP BY
    imp_user_id
),
assembled_with_imp_conv AS (
  SELECT
    path AS path,
    COUNT(DISTINCT a.imp_user_id) AS reach,
    SUM(b.impressions) AS impressions,
    SUM(b.total_cost) AS imp_total_cost,
    SUM(b.converted) AS users_that_purchased,
    SUM(b.product_sales) AS sales_amount,
    SUM(b.purchases) AS purchases,
    SUM(b.ntb_cust) AS ntb_users_that_purchased,
    SUM(b.ntb_product_sales) AS ntb_sales_amount,
    SUM(b.ntb_purchases) AS ntb_purchases
  FROM
    assembled a
    LEFT JOIN filter_impressions_dedupe b ON a.imp_user_id = b.imp_user_id
  GROUP BY
    path
)
SELECT
  path,
  reach AS path_occurrences,
  impressions,
  imp_total_cost,
  users_that_purchased,
  sales_amount,
  purchases,
  (users_that_purchased / reach) AS user_purchase_rate,
  ntb_users_that_purchased,
  ntb_sales_amount,
  ntb_purchases,
  (ntb_users_that_purchased / users_that_purchased) AS ntb_percentage,
  (imp_total_cost / users_that_purchased) AS cpa
FROM
  assembled_with_imp_conv
