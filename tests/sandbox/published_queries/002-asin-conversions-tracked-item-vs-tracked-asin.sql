-- source: AMC instructional query library, "ASIN conversions tracked item vs. tracked asin" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT tracked_item AS ASIN,
       sum(detail_page_view) AS detail_page_view,
       sum(total_detail_page_view) AS total_detail_page_view,
       sum(add_to_cart) AS add_to_cart,
       sum(total_add_to_cart) AS total_add_to_cart
FROM amazon_attributed_events_by_conversion_time
WHERE tracked_item NOT SIMILAR TO '^keyword.'
  AND tracked_item IS NOT NULL
GROUP BY 1
