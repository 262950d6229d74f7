-- source: AMC instructional query library, "ASIN conversions tracked item vs. tracked asin" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT tracked_asin,
       sum(purchases) AS purchases,
       sum(total_purchases) AS total_purchases,
       sum(new_to_brand_purchases) AS new_to_brand_purchases,
       sum(new_to_brand_total_purchases) AS new_to_brand_total_purchases
FROM amazon_attributed_events_by_conversion_time
WHERE tracked_asin IS NOT NULL
GROUP BY 1
