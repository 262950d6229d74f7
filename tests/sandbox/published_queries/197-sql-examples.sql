-- source: https://advertising.amazon.com/API/docs/en-us/guides/amazon-marketing-cloud/amc-sql/examples (example 5)
SELECT
  dsp_impressions.campaign_id,
  SUM(dsp_impressions.impressions) AS impressions,
  SUM(clicks) AS clicks
FROM
  dsp_impressions LEFT JOIN display_clicks USING (request_tag)
GROUP BY
  dsp_impressions.campaign_id
