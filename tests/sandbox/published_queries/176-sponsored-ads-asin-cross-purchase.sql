-- source: AMC instructional query library, "Sponsored ads ASIN cross-purchase" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign_id_string,
  ad_product_type,
  tracked_asin,
  SUM(purchases) AS total_purchases
FROM amazon_attributed_events_by_conversion_time
WHERE ad_product_type IN ('sponsored_products','sponsored_brands','sponsored_display','sponsored_television')
GROUP BY 1, 2, 3
