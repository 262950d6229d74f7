-- source: AMC instructional query library, "Subscribe and Save repeat purchases" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
 SELECT
  CASE
    WHEN event_subtype IN (
      'snsSubscription',
      'firstSnSOrder',
      'repeatSnSOrder'
    ) THEN 'subscriber'
    ELSE 'non-subscriber'
  END AS user_type,
  COUNT(DISTINCT user_id) AS users_that_purchased,
  SUM(total_product_sales) AS total_sales,
  SUM(total_product_sales) / COUNT(DISTINCT user_id) AS average_spend
FROM
  conversions_all
GROUP BY
  1
