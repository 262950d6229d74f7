-- source: AMC instructional query library, "Introduction to AMC SQL" (query 5 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    I.campaign_id_string,
    I.campaign,
    SUM(impressions) AS impressions,
    SUM(C.clicks) AS clicks
FROM
    dsp_impressions I
JOIN
    dsp_clicks C
ON
    I.campaign_id_string = C.campaign_id_string
WHERE
    I.campaign IN ('Campaign1', 'Campaign2')
GROUP BY
    1,
    2
