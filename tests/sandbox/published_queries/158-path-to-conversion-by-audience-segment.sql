-- source: AMC instructional query library, "Path to conversion by audience segment" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    campaign,
    campaign_id_string,
    conversion_event_type_description,
    tracked_item,
    SUM(conversions) AS conversions
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    user_id IS NOT NULL
    AND conversions > 0
    AND conversion_event_category in ('pixel','off-Amazon')
  GROUP BY
    1,
    2,
    3,
    4
