-- source: AMC instructional query library, "How to query Sponsored Display traffic" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH campaigns_with_views_measured AS (
  SELECT
    DISTINCT campaign
  FROM
    sponsored_ads_traffic
  WHERE
    ad_product_type = 'sponsored_display'
    AND line_item_price_type = 'VCPM'
)
SELECT
  campaign,
  campaign_id_string,
  SUM(impressions) AS impressions,
  SUM(viewable_impressions) AS viewable_impressions,
  SUM(viewable_impressions) / SUM(impressions) AS viewability_rate
FROM
  sponsored_ads_traffic
WHERE
  campaign IN (
    SELECT
      campaign
    FROM
      campaigns_with_views_measured
  )
GROUP BY
  1, 2
