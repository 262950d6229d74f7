-- source: AMC instructional query library, "Subscribe and Save repeat purchases" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
 WITH asin_sns_stats AS (
  SELECT
    tracked_asin,
    COUNT(DISTINCT conversion_id) AS first_n_repeat_purchase,
    COUNT(sns_subscription_id) AS total_sns
  FROM
    conversions_all
  WHERE
    event_category = 'purchase'
    AND sns_subscription_id IS NOT NULL
  GROUP BY
    1
),
bucketized_by_frequency AS (
  SELECT
    tracked_asin,
    CASE
      WHEN first_n_repeat_purchase > 6 THEN '7+'
      ELSE first_n_repeat_purchase
    END AS sns_purchase_frequency,
    SUM(total_sns) AS total_sns_count
  FROM
    asin_sns_stats
  GROUP BY
    1,
    2
),
totals AS (
  SELECT
    SUM(total_sns_count) AS total
  FROM
    bucketized_by_frequency
)
SELECT
  tracked_asin,
  sns_purchase_frequency,
  total_sns_count,
  (total_sns_count / total) AS percent_total_sns
FROM
  bucketized_by_frequency,
  totals b
