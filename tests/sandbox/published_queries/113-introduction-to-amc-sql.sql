-- source: AMC instructional query library, "Introduction to AMC SQL" (query 68 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    distinct(COALESCE (ad_product_type, 'DSP')) AS Ad_product_type
FROM
    amazon_attributed_events_by_conversion_time
