-- source: AMC instructional query library, "Path to conversion by audience segment" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  ad_product_type,
  SUM(impressions) AS impressions
FROM
  sponsored_ads_traffic
GROUP BY
  1,
  2
