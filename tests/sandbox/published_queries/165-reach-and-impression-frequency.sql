-- source: AMC instructional query library, "Reach and impression frequency" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions_stacked AS (
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    dsp_impressions
  WHERE
    user_id IS NOT NULL
    AND    (
            ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaigns'), campaign_id_string)
            OR CUSTOM_PARAMETER('dsp_campaigns') IS NULL
            OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaigns')) = 0
    )
  GROUP BY
    1,
    2
  UNION ALL
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    sponsored_ads_traffic
  WHERE
    user_id IS NOT NULL
    AND (
            CUSTOM_PARAMETER('sa_campaigns') IS NULL
            OR CARDINALITY(CUSTOM_PARAMETER('sa_campaigns')) = 0
            OR ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaigns'), campaign_id_string)
    )
  GROUP BY
    1,
    2
),
impressions_collapsed AS (
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    impressions_stacked
  GROUP BY
    1,
    2
),
cte1 AS (
  SELECT
    advertiser,
    IF(
      impressions < 10,
      CONCAT('frequency_', impressions),
      'frequency_10+'
    ) AS frequency_bucket,
    COUNT(DISTINCT user_id) AS users_in_bucket,
    SUM(impressions) AS impressions_in_bucket
  FROM
    impressions_collapsed
  GROUP BY
    1,
    2
),
cte2 AS (
  SELECT
    advertiser,
    frequency_bucket,
    users_in_bucket,
    impressions_in_bucket,
    SUM(users_in_bucket) OVER (PARTITION BY advertiser) AS sum_users_advertiser,
    CASE
      WHEN frequency_bucket = 'frequency_1' THEN '1'
      WHEN frequency_bucket = 'frequency_2' THEN '2'
      WHEN frequency_bucket = 'frequency_3' THEN '3'
      WHEN frequency_bucket = 'frequency_4' THEN '4'
      WHEN frequency_bucket = 'frequency_5' THEN '5'
      WHEN frequency_bucket = 'frequency_6' THEN '6'
      WHEN frequency_bucket = 'frequency_7' THEN '7'
      WHEN frequency_bucket = 'frequency_8' THEN '8'
      WHEN frequency_bucket = 'frequency_9' THEN '9'
      WHEN frequency_bucket = 'frequency_10+' THEN '10+'
    END AS frequency
  FROM
    cte1
)
SELECT
  'Omni-channel Impression Reach and Frequency' AS AMC_template_name,
  CAST (BUILT_IN_PARAMETER('TIME_WINDOW_START') AS DATE) AS Start_Date,
  CAST (BUILT_IN_PARAMETER('TIME_WINDOW_END') AS DATE) AS End_Date,
  advertiser,
  frequency_bucket,
  users_in_bucket,
  impressions_in_bucket,
  ROUND ((users_in_bucket / sum_users_advertiser * 100), 2) AS reach_percentage,
  CONCAT (
    ROUND ((users_in_bucket / sum_users_advertiser * 100), 2),
    '% of users were exposed to the ad ',
    frequency,
    CASE
      WHEN frequency = 1 THEN ' time'
      ELSE ' times'
    END
  ) AS insight1
FROM
  CTE2
