-- source: AMC instructional query library, "Reach and impression frequency" (query 7 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH impressions_stacked AS (
  SELECT
    advertiser,
    user_id,
    SUM(impressions) AS impressions
  FROM
    dsp_impressions
  WHERE
    user_id IS NOT NULL
    AND ARRAY_CONTAINS(CUSTOM_PARAMETER('dsp_campaigns'), campaign_id_string)
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
    AND ARRAY_CONTAINS(CUSTOM_PARAMETER('sa_campaigns'), campaign_id_string)
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
)
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
