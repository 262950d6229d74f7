-- source: AMC instructional query library, "Introduction to AMC SQL" (query 10 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH conv AS(
  SELECT
    user_id,
    user_id_type,
    event_subtype,
    MAX(event_dt_utc) AS dt_max
  FROM
    conversions
  WHERE
    event_subtype IN ('order', 'shoppingCart')
  GROUP BY
    1,
    2,
    3
)
SELECT
  COUNT(DISTINCT(a.user_id))
FROM
  conv a
  LEFT JOIN conv b ON a.user_id = b.user_id
  AND a.user_id_type = b.user_id_type
  AND a.event_subtype = 'shoppingCart'
  AND b.event_subtype = 'order'
  AND a.dt_max > b.dt_max
