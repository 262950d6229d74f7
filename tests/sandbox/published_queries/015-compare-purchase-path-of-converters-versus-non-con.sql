-- source: AMC instructional query library, "Compare purchase path of converters versus non-converters" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
advertiser_id,
campaign_id_string,
campaign,
campaign_start_date,
campaign_end_date,
SUM(impressions) AS total_impressions
FROM
dsp_impressions
GROUP BY 1,2,3,4,5
