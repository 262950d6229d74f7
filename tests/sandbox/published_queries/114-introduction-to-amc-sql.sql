-- source: AMC instructional query library, "Introduction to AMC SQL" (query 70 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH imps AS (
    SELECT
        campaign,
        regexp_split(campaign, '_') as split_campaign,
        SUM(impressions) as impressions
    FROM
        sponsored_ads_traffic
    WHERE
        impressions > 0 group by 1, 2 )
SELECT
    campaign,
    CASE
        WHEN array_contains(split_campaign,'Fire') THEN 'Fire Product'
        ELSE 'Not Fire Product'
        END AS campaignContains,
    SUM(impressions) as impressions
FROM
    imps
GROUP BY
    1,
    2
