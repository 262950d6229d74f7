-- source: AMC instructional query library, "creative asin impact" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH sa_campaign_group (campaign_name) AS (
  VALUES
    ('ABCDEFG')
),
user_exposed AS (
  SELECT
    user_id,
    creative_asin,
    event_dt_utc AS impression_event_dt,
    SUM(impressions) AS impressions,
    SUM(spend) / 1e8 AS total_cost
  FROM
    sponsored_ads_traffic a
  INNER JOIN sa_campaign_group sa
  ON sa.campaign_name = a.campaign
  WHERE
    user_id IS NOT NULL
    AND ad_product_type is not null
      AND impressions >0
  GROUP BY
    1, 2, 3
),
reach AS (
    SELECT
        creative_asin,
        count(distinct user_id) AS unique_customers_exposed
    FROM user_exposed
    GROUP BY 1
),
converted AS (
    SELECT
          user_id
        , tracked_asin
        , conversion_event_dt_utc AS conversion_event_dt
        , SUM(total_purchases) AS total_purchases
    FROM amazon_attributed_events_by_traffic_time
    WHERE user_id IN (SELECT user_id FROM user_exposed GROUP BY 1)
    AND campaign in (SELECT campaign_name FROM sa_campaign_group GROUP BY 1)
    AND total_product_sales >0
    AND conversion_event_subtype = 'order'
    GROUP BY 1, 2, 3
),
together AS (
    SELECT
        a.user_id
        , b.creative_asin
        , a.tracked_asin
        , SUM(total_purchases) AS total_purchases
    FROM converted a
    LEFT JOIN user_exposed as b
    ON a.user_id = b.user_id
    WHERE
    (
      a.user_id IS NOT NULL
      AND b.impression_event_dt < a.conversion_event_dt
    )
    GROUP BY 1,2,3
)
SELECT
    a.creative_asin AS asin_in_creative
    , b.unique_customers_exposed
    , a.tracked_asin AS asin_purchased
    , count(distinct a.user_id) AS occurrences
    , sum(a.total_purchases) AS total_purchases
FROM together AS a
LEFT JOIN reach AS b
on a.creative_asin = b.creative_asin
WHERE a.creative_asin IS NOT NULL
GROUP BY 1,2,3
