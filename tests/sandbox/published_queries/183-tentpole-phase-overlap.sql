-- source: AMC instructional query library, "Tentpole phase overlap" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
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
    SUM(C.conversions) AS pixel_conversions
  FROM
    amazon_attributed_events_by_traffic_time C
    JOIN dsp_campaign D ON C.campaign_id = D.campaign_id
  WHERE
    user_id IS NOT NULL
    AND conversions > 0
    AND conversion_event_category = 'pixel'
  GROUP BY
    1,
    2
  UNION ALL
  SELECT
    C.user_id,
    C.conversion_event_dt,
    SUM(C.conversions) AS pixel_conversions
  FROM
    amazon_attributed_events_by_traffic_time C
    JOIN sa_campaign S ON C.campaign = S.campaign_name
  WHERE
    user_id IS NOT NULL
    AND conversions > 0
    AND conversion_event_category = 'pixel'
  GROUP BY
    1,
    2
),
conversions AS (
  SELECT
    user_id,
    MAX(IF(pixel_conversions > 0, conversion_event_dt, NULL)) AS last_conversion_dt,
    SUM(pixel_conversions) AS pixel_conversions
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
    C.last_conversion_dt,
    I.impressions,
    I.cost,
    C.pixel_conversions,
    CASE
      WHEN C.last_conversion_dt IS NULL THEN 'NO CONVERSION'
      WHEN C.last_conversion_dt >= I.first_impression_dt THEN 'PRE-CONVERSION'
      WHEN C.last_conversion_dt < I.first_impression_dt THEN 'POST-CONVERSION'
      ELSE 'OTHER'
    END AS impression_timing
  FROM
    impressions I
    LEFT JOIN conversions C ON I.user_id = C.user_id
  ORDER BY
    1,
    2,
    3
),
user_strategy AS (
  SELECT
    imp_user_id AS imp_user_id,
    ARRAY_SORT(COLLECT(DISTINCT strategy)) AS strategy,
    SUM(duration_days) AS duration_days
  FROM
    combined_prep
  WHERE
    impression_timing IN ('NO CONVERSION', 'PRE-CONVERSION')
  GROUP BY
    1
),
combined_conversions AS (
  SELECT
    con_user_id AS pur_user_id,
    MAX(pixel_conversions) AS pixel_conversions
  FROM
    combined_prep
  WHERE
    impression_timing IN ('PRE-CONVERSION')
    AND pixel_conversions > 0
  GROUP BY
    1
),
combined AS (
  SELECT
    C.imp_user_id,
    P.pur_user_id,
    U.strategy AS strategy,
    U.duration_days AS duration_days,
    SUM(C.impressions) AS impressions,
    SUM(C.cost) AS cost,
    MAX(P.pixel_conversions) AS pixel_conversions
  FROM
    combined_prep C
    LEFT JOIN user_strategy U ON C.imp_user_id = U.imp_user_id
    LEFT JOIN combined_conversions P ON C.imp_user_id = P.pur_user_id
  GROUP BY
    1,
    2,
    3,
    4
),
results AS (
  SELECT
    strategy AS tentpole_path,
    MAX(duration_days) AS duration_days,
    COUNT(DISTINCT imp_user_id) AS unique_reach,
    COUNT(DISTINCT pur_user_id) AS unique_converters,
    SUM(impressions) AS impressions,
    SUM(pixel_conversions) AS pixel_conversions,
    SUM(cost) AS ad_spend,
    AVG(impressions) AS average_impressions
  FROM
    combined
  WHERE
    strategy IS NOT NULL
  GROUP BY
    1
)
SELECT
  tentpole_path,
  duration_days,
  impressions,
  unique_reach,
  unique_converters,
  pixel_conversions,
  ad_spend,
  pixel_conversions / ad_spend AS cost_per_conversion,
  unique_reach / (SUM(unique_reach) OVER ()) AS unique_reach_percentage,
  pixel_conversions / (SUM(pixel_conversions) OVER ()) AS pixel_conversions_percentage,
  average_impressions / duration_days AS average_daily_impressions,
  unique_converters / unique_reach AS conversion_rate
FROM
  results
