-- source: AMC instructional query library, "How to query Sponsored Brands traffic and conversions" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH sb_campaigns (campaign) AS (
  VALUES
    ('campaign111'),
    ('campaign222'),
    ('campaign333')
),
sbv_campaigns AS (
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
  sat.campaign,
  sat.ad_group,
  CASE
    WHEN campaign IN (
      SELECT
        campaign
      FROM
        sbv_campaigns
    ) THEN 'SB - Video'
    ELSE 'SB - Non Video'
  END AS campaign_type,
  sat.campaign_budget_type,
  campaign_end_dt,
  creative_type,
  SUM(impressions) AS impressions,
  SUM(viewable_impressions) AS viewable_impressions,
  SUM(clicks) AS clicks
FROM
  sponsored_ads_traffic sat
WHERE
  sat.ad_product_type = 'sponsored_brands'
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6
