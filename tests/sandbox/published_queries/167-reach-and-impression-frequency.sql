-- source: AMC instructional query library, "Reach and impression frequency" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
CASE
  WHEN ad_product_type IS NULL THEN 'DSP'
    ELSE ad_product_type
  END AS ad_product_type,
  advertiser,
  CONCAT('campaign_id: ', campaign_id_string) AS campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS impressions
FROM
  amazon_attributed_events_by_traffic_time
WHERE
  ARRAY_CONTAINS(
    CUSTOM_PARAMETER('ad_product_type'),
    COALESCE(ad_product_type, 'DSP')
  )
  AND (
    (CUSTOM_PARAMETER('tracked_asin') IS NULL)
    OR CARDINALITY(CUSTOM_PARAMETER('tracked_asin')) = 0
    OR ARRAY_CONTAINS(CUSTOM_PARAMETER('tracked_asin'), tracked_asin)
  )
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6
