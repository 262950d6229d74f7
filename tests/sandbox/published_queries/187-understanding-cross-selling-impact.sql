-- source: AMC instructional query library, "Understanding cross-selling impact" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  advertiser_id,
  'DSP' as ad_product_type,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS total_impressions
FROM
  dsp_impressions
GROUP BY
  1,2,3,4,5,6
UNION ALL
SELECT
  advertiser,
  ad_product_type,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS total_impressions
FROM
  sponsored_ads_traffic
GROUP BY
  1,2,3,4,5,6
