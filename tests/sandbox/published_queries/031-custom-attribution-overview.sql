-- source: AMC instructional query library, "Custom attribution overview" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  tracked_item AS ASIN,
  SUM(conversions) AS first_SnS_conversions
FROM
  conversions
WHERE
  event_subtype = 'snsSubscription'
GROUP BY
  1
