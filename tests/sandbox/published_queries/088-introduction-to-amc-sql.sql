-- source: AMC instructional query library, "Introduction to AMC SQL" (query 18 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH dsp_campaigns (campaign_id_string) AS (
    VALUES
    (1111111111111),
    (222222222222),
    (333333333333)
    )
SELECT
    DISTINCT campaign_id_string
FROM
    dsp_campaigns
