-- source: AMC instructional query library, "Introduction to AMC SQL" (query 90 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    NAMED_ROW('device', device_type, 'dma_code', dma_code) AS device_dma,
    COUNT(distinct(a.user_id)) distinct_user_count
FROM
    dsp_impressions a
WHERE
    user_id IS NOT NULL
    GROUP BY 1
