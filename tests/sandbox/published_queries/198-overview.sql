-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/datasources/overview (example 1)
SELECT
campaign,
SUM(total_purchases) AS total_orders_9d
FROM amazon_attributed_events_by_traffic_time
WHERE
SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 606024 * 9
GROUP BY
campaign
