-- source: AMC instructional query library, "How to filter by ad product type" (query 5 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  ad_product_type,
  SUM(five_sec_views) AS five_sec_views,
  SUM(video_complete_views) AS video_complete_views,
  SUM(video_first_quartile_views) AS video_first_quartile_views,
  SUM(video_midpoint_views) AS video_midpoint_views,
  SUM(video_third_quartile_views) AS video_third_quartile_views,
  SUM(video_unmutes) AS video_unmutes,
  SUM(impressions) AS impressions
FROM
  sponsored_ads_traffic
WHERE
  ad_product_type = 'sponsored_brands'
GROUP BY
  1,
  2,
  3
