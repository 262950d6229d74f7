-- source: AMC instructional query library, "Introduction to AMC SQL" (query 60 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    distinct(advertiser),
    conversion_event_date_utc,
    CASE
      WHEN conversion_event_marketplace_name = 'AMAZON.COM' THEN 'Online'
      WHEN conversion_event_marketplace_name = 'PRIME_NOW_US' THEN 'Online'
      WHEN conversion_event_marketplace_name = 'AMAZON_FRESH_STORES_US' THEN 'Offline'
      WHEN conversion_event_marketplace_name = 'WHOLE_FOODS_MARKET_US' THEN 'Offline'
    END AS marketplace,
    SUM(purchases) AS purchases
FROM
    amazon_attributed_events_by_conversion_time
WHERE
    purchases > 0
GROUP BY
    1,
    2,
    3
