-- source: AMC instructional query library, "Online and in-store ad-attributed conversions" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  COALESCE(ad_product_type, 'dsp') AS ad_product_type,
  advertiser,
  campaign,
  campaign_id,
  tracked_asin AS asin,
  CASE purchase_retail_program
        WHEN 'Amazon Fresh' THEN concat('Amazon Fresh online order through ',conversion_event_marketplace_name)
        WHEN 'Whole Foods Market' THEN concat('Whole Foods Market online order through ', conversion_event_marketplace_name)
        ELSE concat(purchase_retail_program, ' through ', conversion_event_marketplace_name)
  END AS purchase_type,
  COUNT(DISTINCT user_id) AS users_that_purchased,
  SUM(purchases) AS purchases
FROM
  amazon_attributed_events_by_conversion_time
WHERE
  advertiser IS NOT NULL
GROUP BY
  1,2,3,4,5,6
