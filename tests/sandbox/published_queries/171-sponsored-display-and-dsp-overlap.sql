-- source: AMC instructional query library, "Sponsored Display and DSP overlap" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id,
  CASE
    WHEN ad_product_type IS NULL THEN 'DSP'
    ELSE ad_product_type
  END AS ad_product_type,
  SUM(purchases) AS purchases
FROM
  amazon_attributed_events_by_traffic_time
WHERE
  (ad_product_type = 'sponsored_display'
  OR ad_product_type IS NULL)
GROUP BY
  1,
  2,
  3
