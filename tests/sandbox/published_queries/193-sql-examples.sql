-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/amc-sql/examples (example 1)
SELECT
  advertiser,
  ROUND(supply_cost / 1000000, 0) AS rounded_supply_cost,
  SUM(impressions) AS impressions,
  SUM(supply_cost / 1000000) AS supply_cost
FROM
  dsp_impressions
GROUP BY
  advertiser,
  rounded_supply_cost
