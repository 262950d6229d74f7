-- source: AMC instructional query library, "ASIN conversions tracked item vs. tracked asin" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT tracked_item AS ASIN,
       conversion_event_type_description,
       SUM(conversions) AS conversions
FROM amazon_attributed_events_by_conversion_time
WHERE tracked_item NOT SIMILAR TO '^keyword.'
  AND tracked_item IS NOT NULL
GROUP BY 1,2
