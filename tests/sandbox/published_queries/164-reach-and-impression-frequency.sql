-- source: AMC instructional query library, "Reach and impression frequency" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH
impressions AS (
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    dsp_impressions
  WHERE
   (ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaigns'), campaign_id_string)
        OR CUSTOM_PARAMETER('dsp_campaigns') IS NULL
    OR CARDINALITY(CUSTOM_PARAMETER('dsp_campaigns')) = 0)
    AND user_id IS NOT NULL
  GROUP BY
    advertiser,
    user_id
),
cte1 AS
(
SELECT
  advertiser,
  IF(
    impressions < 10,
    CONCAT('frequency_', impressions),
    'frequency_10+'
  ) AS frequency_buckets,
  COUNT(DISTINCT user_id) AS users_in_bucket,
  SUM(impressions) AS impressions_in_bucket
FROM
  impressions
GROUP BY
  advertiser,
  frequency_buckets),
  cte2 as (
 SELECT
 advertiser,
 frequency_buckets,
 users_in_bucket,
 impressions_in_bucket,
      SUM(users_in_bucket) OVER (partition by advertiser) as sum_users_advertiser,
  CASE WHEN frequency_buckets = 'frequency_1' THEN '1'
   WHEN frequency_buckets = 'frequency_2' THEN '2'
   WHEN frequency_buckets = 'frequency_3' THEN '3'
   WHEN frequency_buckets = 'frequency_4' THEN '4'
   WHEN frequency_buckets = 'frequency_5' THEN '5'
   WHEN frequency_buckets = 'frequency_6' THEN '6'
   WHEN frequency_buckets = 'frequency_7' THEN '7'
   WHEN frequency_buckets = 'frequency_8' THEN '8'
   WHEN frequency_buckets = 'frequency_9' THEN '9'
   WHEN frequency_buckets = 'frequency_10+' THEN '10+'
 END AS frequency
  from cte1
  )
  SELECT
   'DSP Impression Reach and Frequency' as AMC_template_name,
CAST (BUILT_IN_PARAMETER('TIME_WINDOW_START') AS DATE) as Start_Date,
CAST (BUILT_IN_PARAMETER('TIME_WINDOW_END') AS DATE) as End_Date,
advertiser,
 frequency_buckets,
 users_in_bucket,
 impressions_in_bucket,
 ROUND ((users_in_bucket/sum_users_advertiser*100),2) AS reach_percentage,
   CONCAT (
    ROUND ((users_in_bucket/sum_users_advertiser*100),2)
    ,
      '% of users were exposed to the ad ',
      frequency, CASE when frequency = 1 then ' time' else
      ' times' END
    ) AS insight1
  from CTE2
