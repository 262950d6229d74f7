-- source: AMC instructional query library, "How to query Sponsored Brands traffic and conversions" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH sbv_campaigns AS (
 SELECT
 DISTINCT campaign
 FROM
 sponsored_ads_traffic
 WHERE
 five_sec_views = 1
 OR video_complete_views = 1
 OR video_first_quartile_views = 1
 OR video_midpoint_views = 1
 OR video_third_quartile_views = 1
 OR video_unmutes = 1
)
SELECT
 campaign,
 ad_group,
 SUM(five_sec_views) AS five_sec_views,
 SUM(video_complete_views) AS video_complete_views,
 SUM(video_first_quartile_views) AS video_first_quartile_views,
 SUM(video_midpoint_views) AS video_midpoint_views,
 SUM(video_third_quartile_views) AS video_third_quartile_views,
 SUM(video_unmutes) AS video_unmutes,
 SUM(impressions) AS impressions,
 SUM(viewable_impressions) AS viewable_impressions
FROM
 sponsored_ads_traffic
WHERE
 campaign IN (
 SELECT
 campaign
 FROM
 sbv_campaigns
 )
GROUP BY
 1,
 2
