-- source: AMC instructional query library, "Custom attribution overview" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  event_type,
  event_type_class,
  event_category,
  event_subtype,
  event_type_description,
  SUM(conversions) AS conversions
FROM
  conversions
GROUP BY
  1,
  2,
  3,
  4,
  5
