-- source: AMC instructional query library, "Introduction to AMC SQL" (query 72 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH initial_aggregation AS (
  SELECT
    Campaign,
    tracked_asin as tracked_asin,
    SUM(total_purchases) as total_purchases,
    sum(total_product_sales) as total_product_sales
  FROM
    amazon_attributed_events_by_conversion_time
  GROUP BY
    1,
    2
)
SELECT
  IA.Campaign,
  COLLECT(distinct(IA.tracked_asin)) as tracked_asin,
  SUM(IA.total_purchases) as total_purchases,
  sum(IA.total_product_sales) as total_product_sales
FROM
  initial_aggregation IA
GROUP BY
  1
