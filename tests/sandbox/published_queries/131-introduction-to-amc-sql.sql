-- source: AMC instructional query library, "Introduction to AMC SQL" (query 96 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH click_spend AS (
 SELECT
    ad_product_type,
    spend / 100000000 AS spend
  FROM
    sponsored_ads_traffic
  WHERE
    clicks > 0
    and line_item_price_type = 'CPC'
    and random() <= 0.1
)
SELECT
ad_product_type,
  STDDEV_SAMP(spend) AS STDDEV_SAMP_click_cost,
  VAR_SAMP(spend) AS VAR_SAMP_click_cost
FROM
  click_spend
  group by 1
