-- source: AMC instructional query library, "Reach and impression frequency" (query 6 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions AS (
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    dsp_impressions
  WHERE
    ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaigns'), campaign_id_string)
    AND user_id IS NOT NULL
  GROUP BY
    advertiser,
    user_id
)
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
  frequency_buckets
