-- source: AMC instructional query library, "Incremental reach and timing of exposures" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  advertiser,
  campaign,
  ad_product_type,
  campaign_start_date,
  campaign_end_date,
  sum(impressions) as impressions
FROM
  sponsored_ads_traffic
GROUP BY
  1,
  2,
  3,
  4,
  5
