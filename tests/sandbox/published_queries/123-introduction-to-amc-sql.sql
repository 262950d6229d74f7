-- source: AMC instructional query library, "Introduction to AMC SQL" (query 81 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH ranked AS (
  SELECT
      ROW_NUMBER() OVER(
        PARTITION BY user_id
        ORDER BY
          impression_dt_hour
      )   AS device_order, device_type, user_id
  FROM
    dsp_impressions
  WHERE
    user_id IS NOT NULL
)
SELECT
    device_order,
    device_type,
    count(user_id) as Number_of_users
FROM
    ranked
WHERE
    device_order = 1 and device_type = 'Phone'
GROUP BY
    1,
    2
