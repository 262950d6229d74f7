-- source: AMC instructional query library, "Introduction to AMC SQL" (query 54 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    DISTINCT(DATE_TRUNC('day',conversion_event_dt)) AS Day_UTC
FROM
    amazon_attributed_events_by_conversion_time
