-- source: AMC instructional query library, "Introduction to AMC SQL" (query 86 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH camp_imp AS
    (
        SELECT
            campaign,
            COUNT(impressions) AS Impression_count
        FROM
            amazon_attributed_events_by_conversion_time
        GROUP BY
            1
    )
SELECT
    DENSE_RANK() OVER (ORDER BY Impression_count DESC) as ranked,
    campaign,
    impression_count
FROM
    camp_imp
