-- source: AMC instructional query library, "Introduction to AMC SQL" (query 88 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    DISTINCT CAST(campaign_start_date AS DATE) as Start_date
FROM
    amazon_attributed_events_by_conversion_time
WHERE
    CAST(campaign_start_date AS DATE) > CAST('2022-09-01' AS DATE)
