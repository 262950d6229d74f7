-- source: AMC instructional query library, "Sponsored ads ASIN cross-purchase" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH relevant_attributed_events AS
(
    SELECT
        user_id,
        tracked_asin,
        ad_product_type,
        conversion_event_date,
        new_to_brand,
        purchases
    FROM amazon_attributed_events_by_conversion_time
    WHERE
        ARRAY_CONTAINS(CUSTOM_PARAMETER('campaign_id_string'), campaign_id_string)
        AND
        ad_product_type IN (
            'sponsored_products',
            'sponsored_brands',
            'sponsored_display',
            'sponsored_television'
            )
),
sponsored_ads_conversions AS
(
    SELECT
        user_id,
        tracked_asin,
        ad_product_type,
        conversion_event_date,
        new_to_brand
    FROM relevant_attributed_events
    WHERE purchases > 0
    AND user_id IS NOT NULL
),
asin_metrics AS
(
    SELECT
        tracked_asin,
        SUM(purchases) AS asin_purchases,
        COUNT(DISTINCT user_id) AS user_reach
    FROM relevant_attributed_events
    GROUP BY  tracked_asin
),
cross_purchase_data AS
(
    SELECT
        s1.tracked_asin AS lead_asin,
        s2.tracked_asin AS follow_up_asin,
        s1.ad_product_type AS lead_ad_product_type,
        s2.ad_product_type AS follow_up_ad_product_type,
        am1.asin_purchases AS lead_asin_purchases,
        am1.user_reach AS lead_asin_user_reach,
        am2.asin_purchases AS follow_up_asin_purchases,
        am2.user_reach AS follow_up_asin_user_reach,
        COUNT(DISTINCT s1.user_id) AS cross_purchased_users,
        AVG(SECONDS_BETWEEN(s1.conversion_event_date,s2.conversion_event_date)/86400)
            AS avg_days_between_purchases,
        CASE WHEN MAX(s1.new_to_brand) = 1 THEN 'New Customer'
            ELSE 'Repeat Customer' END AS user_cohort
    FROM sponsored_ads_conversions s1
    INNER JOIN sponsored_ads_conversions s2
    ON s1.user_id = s2.user_id AND s2.conversion_event_date > s1.conversion_event_date
    LEFT JOIN asin_metrics am1
    ON s1.tracked_asin = am1.tracked_asin
    LEFT JOIN asin_metrics am2
    ON s2.tracked_asin = am2.tracked_asin
    WHERE s1.tracked_asin <> s2.tracked_asin
    GROUP BY 1,2,3,4,5,6,7,8
)
SELECT
    lead_asin,
    follow_up_asin,
    lead_ad_product_type,
    follow_up_ad_product_type,
    cross_purchased_users,
    user_cohort,
    lead_asin_purchases,
    lead_asin_user_reach,
    follow_up_asin_purchases,
    follow_up_asin_user_reach,
    avg_days_between_purchases,
    DENSE_RANK() OVER (ORDER BY  cross_purchased_users DESC) AS cross_purchase_rank
FROM cross_purchase_data
