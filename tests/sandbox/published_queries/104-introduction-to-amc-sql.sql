-- source: AMC instructional query library, "Introduction to AMC SQL" (query 48 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    campaign,
    COUNT(distinct (user_id)) AS Distinct_User_count
FROM
    amazon_attributed_events_by_conversion_time
GROUP BY
    1
