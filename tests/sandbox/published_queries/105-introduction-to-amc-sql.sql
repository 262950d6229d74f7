-- source: AMC instructional query library, "Introduction to AMC SQL" (query 50 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    advertiser,
    campaign,
    (
     CASE
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 60 THEN '1 | < 1 MIN'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 600 THEN '2 | 1 - 10 MIN'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 1800 THEN '3 | 10 - 30 MIN'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 3600 THEN '4 | 30 - 60 MIN'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 7200 THEN '5 | 1 - 2 HRS'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 43200 THEN '6 | 2 - 12 HRS'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 86400 THEN '7 | 12 - 24 HRS'
      WHEN SECONDS_BETWEEN (impression_dt, conversion_event_dt) <= 604800 THEN '8 | 1 - 7 DAYS'
      ELSE '9 | 7+ DAYS'
      END
    ) AS time_to_conversion,
    SUM(purchases) AS purchases,
    SUM(total_purchases) AS total_brand_purchases
FROM
    amazon_attributed_events_by_conversion_time
GROUP BY
    1,
    2,
    3
