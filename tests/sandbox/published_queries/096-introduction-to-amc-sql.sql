-- source: AMC instructional query library, "Introduction to AMC SQL" (query 38 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH campaigns AS
(
    SELECT campaign, line_item, sum(impressions) AS impressions
    FROM dsp_impressions
    GROUP BY 1,2
)
SELECT
    campaign,
    MIN(impressions) as min_line_item_impressions,
    MAX(impressions) as max_line_item_impressions
FROM
    campaigns
GROUP BY
    1
