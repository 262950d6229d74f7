-- source: AMC instructional query library, "Tentpole phase overlap" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH dsp_campaign_scope (dsp_campaign_id, ecpm) AS (
  VALUES
    (1111111111, '1.23'),
    (2222222222, ''),
    (3333333333, '')
),
sa_campaign_scope (sa_campaign_name, ecpm) AS (
  VALUES
    ('SA Campaign 1', '1.23'),
    ('SA Campaign 2', ''),
    ('SA Campaign 3', '')
),
dsp_campaign AS (
  SELECT
    A.campaign_id,
    B.ecpm
  FROM
    dsp_impressions A
    JOIN dsp_campaign_scope B ON A.campaign_id = B.dsp_campaign_id
  GROUP BY
    1,
    2
),
sa_campaign AS (
  SELECT
    A.campaign AS campaign_name,
    B.ecpm
  FROM
    sponsored_ads_traffic A
    JOIN sa_campaign_scope B ON A.campaign = B.sa_campaign_name
  GROUP BY
    1,
    2
),
conversions_prep AS (
  SELECT
    C.user_id,
    C.conversion_event_dt,
    C.new_to_brand AS ntb_flag,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.total_product_sales),
      SUM(C.product_sales)
    ) AS sales,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.new_to_brand_total_product_sales),
      SUM(C.new_to_brand_product_sales)
    ) AS ntb_sales,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.total_detail_page_view),
      SUM(C.detail_page_view)
    ) AS dpv
  FROM
    amazon_attributed_events_by_traffic_time C
    JOIN dsp_campaign D ON C.campaign_id = D.campaign_id
  WHERE
    user_id IS NOT NULL
    AND (
      total_product_sales > 0
      OR total_detail_page_view > 0
    )
    AND IF(
      CUSTOM_PARAMETER('include_asin_filter') = 1,
      ARRAY_CONTAINS(
        CUSTOM_PARAMETER('asin_filter_list'),
        tracked_asin
      ),
      1 = 1
    )
  GROUP BY
    1,
    2,
    3
  UNION ALL
  SELECT
    C.user_id,
    C.conversion_event_dt,
    C.new_to_brand AS ntb_flag,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.total_product_sales),
      SUM(C.product_sales)
    ) AS sales,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.new_to_brand_total_product_sales),
      SUM(C.new_to_brand_product_sales)
    ) AS ntb_sales,
    IF(
      CUSTOM_PARAMETER('include_brand_halo') = 1,
      SUM(C.total_detail_page_view),
      SUM(C.detail_page_view)
    ) AS dpv
  FROM
    amazon_attributed_events_by_traffic_time C
    JOIN sa_campaign S ON C.campaign = S.campaign_name
  WHERE
    user_id IS NOT NULL
    AND (
      total_product_sales > 0
      OR total_detail_page_view > 0
    )
    AND IF(
      CUSTOM_PARAMETER('include_asin_filter') = 1,
      ARRAY_CONTAINS(
        CUSTOM_PARAMETER('asin_filter_list'),
        tracked_asin
      ),
      1 = 1
    )
  GROUP BY
    1,
    2,
    3
),
conversions AS (
  SELECT
    user_id,
    MAX(IF(sales > 0, conversion_event_dt, NULL)) AS last_purchase_dt,
    MAX(IF(dpv > 0, conversion_event_dt, NULL)) AS last_dpv_dt,
    MAX(ntb_flag) AS ntb_flag,
    SUM(sales) AS sales,
    SUM(ntb_sales) AS ntb_sales,
    SUM(dpv) AS dpv
  FROM
    conversions_prep
  GROUP BY
    1
),
impressions_prep AS (
  SELECT
    I.user_id,
    I.impression_date,
    I.impression_dt,
    CASE
      WHEN I.impression_date BETWEEN CUSTOM_PARAMETER('phase_one_start_date')
      AND CUSTOM_PARAMETER('phase_one_end_date') THEN CUSTOM_PARAMETER('phase_one_name')
      WHEN I.impression_date BETWEEN CUSTOM_PARAMETER('phase_two_start_date')
      AND CUSTOM_PARAMETER('phase_two_end_date') THEN CUSTOM_PARAMETER('phase_two_name')
      ELSE CUSTOM_PARAMETER('phase_three_name')
    END AS strategy,
    CASE
      WHEN I.impression_date BETWEEN CUSTOM_PARAMETER('phase_one_start_date')
      AND CUSTOM_PARAMETER('phase_one_end_date') THEN (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_one_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_one_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
      WHEN I.impression_date BETWEEN CUSTOM_PARAMETER('phase_two_start_date')
      AND CUSTOM_PARAMETER('phase_two_end_date') THEN (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_two_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_two_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
      ELSE (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_three_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_three_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
    END AS duration_days,
    SUM(I.impressions) AS impressions,
    SUM(
      IF(
        CAST(D.ecpm AS DECIMAL(6, 3)) >= 0,
        CAST(D.ecpm AS DECIMAL(6, 3)) / 1000 * I.impressions,
        I.total_cost / 100000
      )
    ) AS cost
  FROM
    dsp_impressions I
    JOIN dsp_campaign D ON I.campaign_id = D.campaign_id
  WHERE
    I.user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3,
    4
  UNION ALL
  SELECT
    I.user_id,
    I.event_date AS impression_date,
    I.event_dt AS impression_dt,
    CASE
      WHEN I.event_date BETWEEN CUSTOM_PARAMETER('phase_one_start_date')
      AND CUSTOM_PARAMETER('phase_one_end_date') THEN CUSTOM_PARAMETER('phase_one_name')
      WHEN I.event_date BETWEEN CUSTOM_PARAMETER('phase_two_start_date')
      AND CUSTOM_PARAMETER('phase_two_end_date') THEN CUSTOM_PARAMETER('phase_two_name')
      ELSE CUSTOM_PARAMETER('phase_three_name')
    END AS strategy,
    CASE
      WHEN I.event_date BETWEEN CUSTOM_PARAMETER('phase_one_start_date')
      AND CUSTOM_PARAMETER('phase_one_end_date') THEN (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_one_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_one_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
      WHEN I.event_date BETWEEN CUSTOM_PARAMETER('phase_two_start_date')
      AND CUSTOM_PARAMETER('phase_two_end_date') THEN (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_two_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_two_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
      ELSE (
        SECONDS_BETWEEN(
          CAST(CUSTOM_PARAMETER('phase_three_start_date') AS DATE),
          CAST(CUSTOM_PARAMETER('phase_three_end_date') AS DATE)
        ) / (60 * 60 * 24)
      ) + 1
    END AS duration_days,
    SUM(I.impressions) AS impressions,
    SUM(
      IF(
        CAST(S.ecpm AS DECIMAL(6, 3)) >= 0,
        CAST(S.ecpm AS DECIMAL(6, 3)) / 1000 * I.impressions,
        I.spend / 100000000
      )
    ) AS cost
  FROM
    sponsored_ads_traffic I
    JOIN sa_campaign S ON I.campaign = S.campaign_name
  WHERE
    I.user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3,
    4
),
impressions AS (
  SELECT
    user_id,
    strategy,
    MAX(duration_days) AS duration_days,
    MIN(impression_dt) AS first_impression_dt,
    SUM(impressions) AS impressions,
    SUM(cost) AS cost
  FROM
    impressions_prep
  GROUP BY
    1,
    2
),
combined_prep AS (
  SELECT
    I.user_id AS imp_user_id,
    C.user_id AS con_user_id,
    I.strategy,
    I.duration_days,
    I.first_impression_dt,
    C.last_purchase_dt,
    C.last_dpv_dt,
    C.ntb_flag,
    I.impressions,
    I.cost,
    C.dpv,
    C.sales,
    C.ntb_sales,
    CASE
      WHEN C.last_purchase_dt IS NULL THEN 'NO PURCHASE'
      WHEN C.last_purchase_dt >= I.first_impression_dt THEN 'PRE-PURCHASE'
      WHEN C.last_purchase_dt < I.first_impression_dt THEN 'POST-PURCHASE'
      ELSE 'OTHER'
    END AS impression_timing_purchase,
    CASE
      WHEN C.last_dpv_dt IS NULL THEN 'NO DPV'
      WHEN C.last_dpv_dt >= I.first_impression_dt THEN 'PRE-DPV'
      WHEN C.last_dpv_dt < I.first_impression_dt THEN 'POST-DPV'
      ELSE 'OTHER'
    END AS impression_timing_dpv
  FROM
    impressions I
    LEFT JOIN conversions C ON I.user_id = C.user_id
  ORDER BY
    1,
    2,
    3
),
user_strategy_purchase AS (
  SELECT
    imp_user_id AS imp_user_id,
    ARRAY_SORT(COLLECT(DISTINCT strategy)) AS purchase_strategy,
    SUM(duration_days) AS purchase_duration_days
  FROM
    combined_prep
  WHERE
    impression_timing_purchase IN ('NO PURCHASE', 'PRE-PURCHASE')
  GROUP BY
    1
),
combined_purchases AS (
  SELECT
    con_user_id AS pur_user_id,
    MAX(ntb_flag) AS ntb_flag,
    MAX(sales) AS sales,
    MAX(ntb_sales) AS ntb_sales
  FROM
    combined_prep
  WHERE
    impression_timing_purchase IN ('PRE-PURCHASE')
    AND sales > 0
  GROUP BY
    1
),
user_strategy_dpv AS (
  SELECT
    imp_user_id AS imp_user_id,
    ARRAY_SORT(COLLECT(DISTINCT strategy)) AS dpv_strategy,
    SUM(duration_days) AS dpv_duration_days
  FROM
    combined_prep
  WHERE
    impression_timing_dpv IN ('NO DPV', 'PRE-DPV')
  GROUP BY
    1
),
combined_dpv AS (
  SELECT
    con_user_id AS dpv_user_id,
    MAX(dpv) AS dpv
  FROM
    combined_prep
  WHERE
    impression_timing_dpv IN ('PRE-DPV')
    AND dpv > 0
  GROUP BY
    1
),
combined_1 AS (
  SELECT
    C.imp_user_id,
    P.pur_user_id,
    U.purchase_strategy AS strategy,
    U.purchase_duration_days AS duration_days,
    P.ntb_flag AS ntb_flag,
    SUM(C.impressions) AS impressions,
    SUM(C.cost) AS cost,
    MAX(P.sales) AS sales,
    MAX(P.ntb_sales) AS ntb_sales
  FROM
    combined_prep C
    LEFT JOIN user_strategy_purchase U ON C.imp_user_id = U.imp_user_id
    LEFT JOIN combined_purchases P ON C.imp_user_id = P.pur_user_id
  GROUP BY
    1,
    2,
    3,
    4,
    5
),
results_prep_1 AS (
  SELECT
    strategy,
    MAX(duration_days) AS duration_days,
    COUNT(DISTINCT imp_user_id) AS unique_reach_purchase,
    COUNT(DISTINCT pur_user_id) AS unique_purchasers,
    SUM(IF(ntb_flag = TRUE, 1, 0)) AS unique_ntb_purchasers,
    SUM(impressions) AS impressions,
    SUM(sales) AS sales,
    SUM(ntb_sales) AS ntb_sales,
    SUM(cost) AS ad_spend,
    AVG(impressions) AS average_impressions
  FROM
    combined_1
  WHERE
    strategy IS NOT NULL
  GROUP BY
    1
),
combined_2 AS (
  SELECT
    C.imp_user_id,
    D.dpv_user_id,
    U.dpv_strategy AS strategy,
    U.dpv_duration_days AS duration_days,
    MAX(D.dpv) AS dpv
  FROM
    combined_prep C
    LEFT JOIN user_strategy_dpv U ON C.imp_user_id = U.imp_user_id
    LEFT JOIN combined_dpv D ON C.imp_user_id = D.dpv_user_id
  GROUP BY
    1,
    2,
    3,
    4
),
results_prep_2 AS (
  SELECT
    strategy,
    MAX(duration_days) AS duration_days,
    COUNT(DISTINCT imp_user_id) AS unique_reach_dpv,
    COUNT(DISTINCT dpv_user_id) AS unique_viewers,
    SUM(dpv) AS dpv
  FROM
    combined_2
  WHERE
    strategy IS NOT NULL
  GROUP BY
    1
),
results AS (
  SELECT
    A.strategy AS tentpole_path,
    AVG(A.duration_days) AS duration_days,
    SUM(unique_reach_purchase) AS unique_reach_purchase,
    SUM(unique_reach_dpv) AS unique_reach_dpv,
    SUM(unique_viewers) AS unique_viewers,
    SUM(unique_purchasers) AS unique_purchasers,
    SUM(unique_ntb_purchasers) AS unique_ntb_purchasers,
    SUM(impressions) AS impressions,
    SUM(dpv) AS dpv,
    SUM(sales) AS sales,
    SUM(ntb_sales) AS ntb_sales,
    SUM(ad_spend) AS ad_spend,
    AVG(average_impressions) AS average_impressions
  FROM
    results_prep_1 A
    JOIN results_prep_2 B ON A.strategy = B.strategy
  GROUP BY
    1
)
SELECT
  tentpole_path,
  duration_days,
  impressions,
  unique_reach_purchase,
  unique_reach_dpv,
  unique_viewers,
  unique_purchasers,
  unique_ntb_purchasers,
  dpv,
  sales,
  ntb_sales,
  ad_spend,
  sales / ad_spend AS roas,
  unique_reach_purchase / (SUM(unique_reach_purchase) OVER ()) AS unique_reach_percentage,
  sales / (SUM(sales) OVER ()) AS sales_percentage,
  unique_ntb_purchasers / (SUM(unique_ntb_purchasers) OVER ()) AS unique_ntb_purchasers_percentage,
  average_impressions / duration_days AS average_daily_impressions,
  unique_viewers / unique_reach_dpv AS dpv_rate,
  unique_purchasers / unique_reach_purchase AS purchase_rate,
  unique_ntb_purchasers / unique_reach_purchase AS ntb_rate
FROM
  results
