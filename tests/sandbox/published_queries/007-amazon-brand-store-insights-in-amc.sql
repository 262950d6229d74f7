-- source: AMC instructional query library, "Amazon Brand Store Insights in AMC" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH bsi_interaction_events AS
(
SELECT
ingress_type,
reference_id,
referrer_domain,
IF (event_sub_type= 'DETAILPAGE',1,0) AS dp_counter,
IF (event_sub_type= 'ADDTOCART',1,0) AS atc_counter,
session_id
FROM
amazon_brand_store_engagement_events
)
, bundled AS
(
SELECT
ingress_type,
reference_id,
referrer_domain,
SUM(dp_counter) AS sum_dp,
SUM(atc_counter) AS sum_atc,
COUNT(distinct session_id) AS distinct_sessions
FROM bsi_interaction_events
GROUP By 1,2,3
)
SELECT
ingress_type,
reference_id,
referrer_domain,
sum_dp,
sum_atc,
distinct_sessions,
(sum_dp/distinct_sessions) AS bsi_dp_rate,
(sum_atc/distinct_sessions) AS bsi_atc_rate
FROM bundled
