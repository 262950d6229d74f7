-- source: AMC instructional query library, "Custom attribution - first touch" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH traffic AS (
  SELECT
    DISTINCT campaign,
    campaign_id_string,
    user_id
  FROM
    TABLE(
      EXTEND_TIME_WINDOW('dsp_impressions', 'P60D', 'P0D')
    )
  WHERE
    user_id IS NOT NULL
)
SELECT
  tracked_item AS off_amazon_ID,
  event_category,
  c.campaign,
  c.campaign_id_string,
  SUM(conversions) AS conversions,
  COUNT(DISTINCT c.user_id) AS users_that_converted
FROM
  conversions_with_relevance c
  JOIN traffic t ON t.campaign = c.campaign
  AND t.user_id = c.user_id
WHERE
  event_category = 'off-amazon'
  AND c.user_id IS NOT NULL
GROUP BY
  1,
  2,
  3,
  4
