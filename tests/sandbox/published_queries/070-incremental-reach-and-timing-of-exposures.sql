-- source: AMC instructional query library, "Incremental reach and timing of exposures" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  advertiser,
  campaign_id,
  campaign,
  campaign_start_date,
  campaign_end_date,
  sum(impressions) as impressions
FROM
  dsp_impressions
GROUP BY
  1,
  2,
  3,
  4,
  5
