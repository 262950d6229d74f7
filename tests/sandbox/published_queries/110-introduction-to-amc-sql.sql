-- source: AMC instructional query library, "Introduction to AMC SQL" (query 61 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    distinct(advertiser),
    device_type,
    conversion_event_date_utc,
    conversion_event_marketplace_name,
    SUM(purchases) AS purchases
FROM
    amazon_attributed_events_by_conversion_time
WHERE
    purchases > 0
AND
   CASE
      WHEN conversion_event_marketplace_name = 'AMAZON.COM' THEN device_type = 'PC'
      WHEN conversion_event_marketplace_name = 'PRIME_NOW_US' THEN device_type = 'Mobile'
      WHEN conversion_event_marketplace_name = 'AMAZON_FRESH_STORES_US' THEN device_type = Null
      WHEN conversion_event_marketplace_name = 'WHOLE_FOODS_MARKET_US' THEN device_type = Null
    END
GROUP BY
    1,
    2,
    3,
    4
