-- source: AMC instructional query library, "Introduction to AMC SQL" (query 20 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH SD_asins AS (
SELECT
DISTINCT(tracked_asin) AS ta,
campaign_id_string,
campaign
FROM
amazon_attributed_events_by_conversion_time
WHERE
ad_product_type in ('sponsored_display')),
SP_asins AS(
SELECT
DISTINCT(tracked_asin) AS ta,
campaign_id_string,
campaign
FROM
amazon_attributed_events_by_conversion_time
WHERE
ad_product_type in ('sponsored_products'))
SELECT
SD.campaign as SD_campaign,
SP.campaign as SP_campaign,
SD.ta as Tracked_ASIN
FROM
SD_asins SD
JOIN
SP_asins SP
ON
SD.ta = SP.ta
