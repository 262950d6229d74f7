-- source: AMC instructional query library, "New-to-brand purchases" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH sa_campaigns (campaign_id_string) AS (
  VALUES
    ('SP Campaign 1'),
    ('SP Campaign 2'),
    ('SD Campaign 1'),
    ('SD Campaign 2'),
    ('SB Campaign 1'),
    ('SB Campaign 2')
)
SELECT
  advertiser_id,
  advertiser,
  campaign,
  campaign_id_string,
  SUM(new_to_brand_total_purchases) AS new_to_brand_purchases,
  SUM(total_purchases) - SUM(new_to_brand_total_purchases) AS non_new_to_brand_purchases,
  (
    SUM(new_to_brand_total_purchases) / SUM(total_purchases)
  ) * 100 AS new_to_brand_purchases_percentage,
  SUM(new_to_brand_total_product_sales) AS new_to_brand_product_sales,
  SUM(total_product_sales) - SUM(new_to_brand_total_product_sales) AS non_new_to_brand_product_sales,
  (
    SUM(new_to_brand_total_product_sales) / SUM(total_product_sales)
  ) * 100 AS new_to_brand_product_sales_percentage
FROM
  amazon_attributed_events_by_conversion_time
WHERE
  total_purchases > 0
  AND user_id IS NOT NULL
GROUP BY
  advertiser_id,
  advertiser,
  campaign,
  campaign_id_string
