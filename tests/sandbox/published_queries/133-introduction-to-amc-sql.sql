-- source: AMC instructional query library, "Introduction to AMC SQL" (query 101 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH click_spend AS (
    SELECT
    ad_product_type,
    spend / 100000000 AS spend
  FROM
    sponsored_ads_traffic
  WHERE
    clicks > 0
    and line_item_price_type = 'CPC'
)
SELECT
  ad_product_type,
  PERCENTILE(spend, .1) as PERCENTILE10_click_cost,
  PERCENTILE(spend, .9) as PERCENTILE90_click_cost,
  APPROX_PERCENTILE(spend, .1) as APPROX_PERCENTILE10_click_cost,
  APPROX_PERCENTILE(spend, .9) as APPROX_PERCENTILE90_click_cost,
  MEDIAN(spend) as MEDIAN_click_cost
FROM
  click_spend
  group by 1
