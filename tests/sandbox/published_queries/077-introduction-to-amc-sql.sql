-- source: AMC instructional query library, "Introduction to AMC SQL" (query 6 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH imp_dv AS (
    SELECT
        campaign,
        campaign_id_string,
        SUM(viewable_impressions) AS viewable_impressions,
        SUM(measurable_impressions) AS measurable_impressions,
        SUM(viewable_impressions) / SUM(measurable_impressions) AS viewability_rate
    FROM
        dsp_views
    GROUP BY
        1,
        2
),
imp_di AS (
    SELECT
        campaign,
        campaign_id_string,
        SUM(impressions) AS impressions
    FROM
        dsp_impressions
    GROUP BY
        1,
        2
)
SELECT
    di.campaign,
    di.campaign_id_string,
    impressions,
    viewable_impressions,
    measurable_impressions,
    viewability_rate
FROM
    imp_di di
LEFT JOIN
    imp_dv dv
ON
    di.campaign = dv.campaign AND di.campaign_id_string = dv.campaign_id_string
