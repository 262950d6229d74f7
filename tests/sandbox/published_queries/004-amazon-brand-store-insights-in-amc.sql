-- source: AMC instructional query library, "Amazon Brand Store Insights in AMC" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
 marketplace_name,
 store_name,
 store_id,
 page_id,
 page_title,
 COUNT(session_id) AS count_sessions,
 COUNT(DISTINCT session_id) AS distinct_sessions,
 COUNT(visit_id) AS count_visits,
 COUNT(DISTINCT visit_id) AS distinct_visits,
 ROUND((SUM(dwell_time)/60),0) AS total_dwell_time_in_minutes_rounded
FROM amazon_brand_store_page_views
GROUP BY 1,2,3,4,5
