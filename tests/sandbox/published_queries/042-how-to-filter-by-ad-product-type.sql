-- source: AMC instructional query library, "How to filter by ad product type" (query 8 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH dsp_imp_purch AS (
SELECT
campaign,
campaign_id_string,
SUM(impressions) AS impressions,
0 AS purchases
FROM
dsp_impressions
GROUP BY
1,
2
UNION
SELECT
campaign,
campaign_id_string,
0 AS impressions,
SUM(purchases) AS purchases
FROM
amazon_attributed_events_by_conversion_time
WHERE
ad_product_type IS NULL
GROUP BY
1,
2
)
SELECT
campaign,
campaign_id_string,
SUM(impressions) AS impressions,
SUM(purchases) AS purchases
FROM dsp_imp_purch
GROUP BY 1, 2
