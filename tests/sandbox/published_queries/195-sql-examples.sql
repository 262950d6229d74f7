-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/amc-sql/examples (example 3)
SELECT
  advertiser_id,
  advertiser,
  IF(impressions < 10, CONCAT('frequency_', impressions), 'frequency_10+') AS frequency_buckets,
  COUNT(DISTINCT user_id) AS users_in_bucket
FROM (
    SELECT
      advertiser,
      user_id,
      SUM(impressions) AS impressions
    FROM
      dsp_impressions
    GROUP BY
        advertiser,
        user_id
)
GROUP BY
  advertiser,
  frequency_buckets
