-- source: AMC instructional query library, "Introduction to AMC SQL" (query 12 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH combined AS (
    SELECT
        campaign_id_string,
        campaign,
        SUM(impressions) AS impressions,
        0 as clicks
    FROM dsp_impressions
    GROUP BY
        campaign_id_string,
        campaign
    UNION ALL
    SELECT
        campaign_id_string,
        campaign,
        0 as impressions,
        SUM(clicks) as clicks
    FROM dsp_clicks
    GROUP BY
        campaign_id_string,
        campaign
)
SELECT
    campaign_id_string,
    campaign,
    sum(impressions) AS impressions,
    sum(clicks) AS clicks
FROM
    combined
GROUP BY
    campaign_id_string,
    campaign
