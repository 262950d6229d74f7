-- source: AMC instructional query library, "How to query Sponsored Display traffic" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  line_item_price_type,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(clicks) / SUM(impressions) AS click_through_rate
FROM
  sponsored_ads_traffic
WHERE
  ad_product_type = 'sponsored_display'
GROUP BY
  1,
  2,
  3
