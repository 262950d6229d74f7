-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/amc-sql/examples (example 2)
SELECT
  advertiser,
  EXTRACT(HOUR FROM impression_date) AS impression_date_hour,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
GROUP BY
  advertiser,
  impression_date_hour
