-- source: AMC instructional query library, "Introduction to AMC SQL" (query 7 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH SP_asins AS (
SELECT
DISTINCT(tracked_asin) AS ta,
campaign_id_string,
campaign
FROM
amazon_attributed_events_by_conversion_time
WHERE
ad_product_type in ('sponsored_products')),
dsp_asins AS (
SELECT
DISTINCT(tracked_asin) AS ta,
campaign_id_string,
campaign
FROM
amazon_attributed_events_by_conversion_time
WHERE
ad_product_type is NULL)
SELECT
SP.ta AS SP_ASINs, SP.campaign as SP_Campaign_Name, SP.campaign_id_string as SP_campaign_id_string,
D.ta AS DSP_ASINs, D.campaign as DSP_Campaign_Name, D.campaign_id_string as DSP_campaign_id_string
FROM
SP_asins SP
FULL OUTER JOIN
dsp_asins D
ON
SP.ta = D.ta
