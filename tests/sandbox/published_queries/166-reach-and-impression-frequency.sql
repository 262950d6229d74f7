-- source: AMC instructional query library, "Reach and impression frequency" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
'DSP' as ad_product_type,
  advertiser,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6
UNION ALL
SELECT
ad_product_type,
  advertiser,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  SUM(impressions) AS impressions
FROM
  sponsored_ads_traffic
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6
