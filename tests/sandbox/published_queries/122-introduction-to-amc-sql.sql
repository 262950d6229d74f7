-- source: AMC instructional query library, "Introduction to AMC SQL" (query 79 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH campaigns AS (
    SELECT
    campaign,
    line_item,
    SUM(impressions) as impressions
    FROM dsp_impressions
    GROUP BY 1,2
)
SELECT
    campaign,
    line_item,
    impressions,
    RANK() OVER(
        PARTITION BY campaign
        ORDER BY impressions DESC) Impression_Rank
FROM
    campaigns
