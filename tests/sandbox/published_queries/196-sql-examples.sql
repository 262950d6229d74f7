-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/amc-sql/examples (example 4)
SELECT
  advertiser,
  IF(campaign SIMILAR TO '^BRAND_A.*', 'BRAND_A', 'BRAND_OTHER') AS brand,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
GROUP BY
  advertiser,
  brand
