-- source: AMC instructional query library, "Introduction to AMC SQL" (query 63 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH camp_imp AS (
    SELECT
        campaign,
        COUNT(impressions) AS Impression_count
    FROM
        amazon_attributed_events_by_conversion_time
    GROUP BY
        1
 )
SELECT
    campaign,
    IF(Impression_count<1000, 'less than 1000 impressions', 'greater than 1000 impressions') AS Impression_scale
FROM
    camp_imp
