-- source: AMC instructional query library, "New-to-brand customers" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH users AS (
  SELECT
    advertiser,
    ad_product_type,
    campaign,
    user_id,
    (IF(new_to_brand = TRUE, 1, 0)) AS ntb_users
  FROM
    amazon_attributed_events_by_conversion_time
  WHERE
    purchases > 0
  GROUP BY
    advertiser,
    ad_product_type,
    campaign,
    user_id,
    new_to_brand
)
SELECT
  advertiser,
  CASE
    WHEN ad_product_type IS NULL THEN 'DSP'
    ELSE ad_product_type
  END AS ad_product_type,
  campaign,
  COUNT(DISTINCT user_id) AS all_users_with_purchase,
  SUM(ntb_users) AS ntb_users,
  SUM(ntb_users) / COUNT(DISTINCT user_id) * 100 AS ntb_percentage
FROM
  users
GROUP BY
  advertiser,
  ad_product_type,
  campaign
