-- source: AMC instructional query library, "Introduction to AMC SQL" (query 56 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    DISTINCT campaign,
    campaign_id_string,
    COUNT(DISTINCT(user_id)) AS Reach
FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P15D', 'P0D')
        )
WHERE
    user_id IS NOT NULL
GROUP BY
    1,
    2
