-- source: AMC instructional query library, "Amazon Brand Store Insights in AMC" (query 5 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH bsi_interaction_events AS
(
SELECT
user_id,
event_sub_type,
COUNT(session_id) as session_counter
FROM
amazon_brand_store_engagement_events_for_audiences
WHERE event_sub_type= 'ADDTOCART'
AND user_id IS NOT NULL
GROUP By 1,2
)
, bsi_dwell_time AS
(
SELECT
user_id,
ROUND((SUM(dwell_time)/60),0) AS dwell_time_minutes
FROM amazon_brand_store_page_views_for_audiences
WHERE user_id IS NOT NULL
GROUP By 1
),
grouped AS
(
SELECT
bdt.user_id,
bie.event_sub_type,
bdt.dwell_time_minutes
FROM bsi_interaction_events bie
INNER JOIN bsi_dwell_time bdt
ON bie.user_id = bdt.user_id
)
SELECT
user_id
FROM
grouped
WHERE
dwell_time_minutes >=5
