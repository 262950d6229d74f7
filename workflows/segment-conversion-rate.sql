-- Per DSP campaign and customer segment: users reached, users with an order attributed to the campaign.
WITH
dsp_reach AS (
    SELECT
        user_id,
        campaign_id
    FROM {{dsp_impressions}}
    WHERE impressions > 0
        AND user_id IS NOT NULL
    GROUP BY user_id, campaign_id
),
campaign_purchases AS (
    SELECT
        user_id,
        campaign_id
    FROM {{amazon_attributed_events_by_traffic_time}}
    WHERE conversion_event_subtype = 'order'
        AND user_id IS NOT NULL
    GROUP BY user_id, campaign_id
),
--#include _customer_segments.sql
SELECT
    -- the LONG campaign id: AMC documents no cast to a string type (docs/amc-api.md §5.4)
    r.campaign_id,
    s.customer_audience_segment,
    COUNT(DISTINCT r.user_id) AS unique_users_reached,
    COUNT(DISTINCT p.user_id) AS unique_users_purchased,
    CAST(COUNT(DISTINCT p.user_id) AS DOUBLE) / COUNT(DISTINCT r.user_id) AS user_conversion_rate
FROM dsp_reach r
INNER JOIN customer_segments s
    ON s.user_id = r.user_id
LEFT JOIN campaign_purchases p
    ON p.user_id = r.user_id
    AND p.campaign_id = r.campaign_id
GROUP BY r.campaign_id, s.customer_audience_segment
