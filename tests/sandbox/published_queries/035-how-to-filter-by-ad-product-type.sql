-- source: AMC instructional query library, "How to filter by ad product type" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  ad_product_type
FROM
  amazon_attributed_events_by_traffic_time
WHERE
  ad_product_type IN (
    'sponsored_products',
    'sponsored_brands',
    'sponsored_display',
    'sponsored_television'
  )
GROUP BY
  1,
  2,
  3
