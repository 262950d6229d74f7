-- source: AMC instructional query library, "Introduction to AMC SQL" (query 83 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH camp_imp AS
    (
        SELECT campaign, COUNT(impressions) AS Impression_count
        FROM dsp_impressions
        GROUP BY 1
    )
SELECT
    RANK() OVER (ORDER BY Impression_count DESC) as Ranked,
    campaign,
    impression_count
FROM
    camp_imp
