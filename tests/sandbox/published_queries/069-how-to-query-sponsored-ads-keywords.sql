-- source: AMC instructional query library, "How to query sponsored ads keywords" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH searches AS (
  SELECT
    DISTINCT user_id,
    customer_search_term AS search_term,
    campaign,
    ad_product_type,
    event_dt
  FROM
    TABLE(
      extend_time_window(
        'sponsored_ads_traffic',
        'P30D',
        'P0D'
      )
    )
  WHERE
    match_type IN('PHRASE', 'BROAD', 'EXACT')
    AND user_id IS NOT NULL
),
searches_ranked AS (
  SELECT
    user_id,
    search_term,
    campaign,
    ad_product_type,
    event_dt,
    RANK() OVER(
      PARTITION BY user_id
      ORDER BY
        event_dt ASC
    ) AS time_rank
  FROM
    searches
),
attributed_conversions_user AS (
  SELECT
    a.user_id,
    customer_search_term AS attributed_search_term,
    search_term,
    a.campaign,
    a.ad_product_type,
    SUM(total_purchases) AS total_purchases
  FROM
    amazon_attributed_events_by_conversion_time a
    JOIN searches_ranked s ON s.user_id = a.user_id
    AND s.campaign = a.campaign
    AND s.ad_product_type = a.ad_product_type
  WHERE
    event_dt < conversion_event_dt
    AND total_purchases > 0
    AND time_rank = 1
  GROUP BY
    1,
    2,
    3,
    4,
    5
)
SELECT
  search_term AS first_search_term,
  attributed_search_term AS attributed_search_term,
  SUM(total_purchases) AS total_purchases
FROM
  attributed_conversions_user
GROUP BY
  1,
  2
