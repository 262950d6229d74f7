-- source: AMC instructional query library, "Net-new reach by campaign group" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  advertiser,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date,
  sum(impressions) as impressions
FROM
  dsp_impressions
GROUP BY
  advertiser,
  campaign_id_string,
  campaign,
  campaign_start_date,
  campaign_end_date
