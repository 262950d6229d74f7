-- source: AMC instructional query library, "Introduction to AMC SQL" (query 8 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH asin_CTE AS (
    SELECT
        distinct(tracked_asin) as asin
    FROM
        amazon_attributed_events_by_conversion_time
    WHERE
        purchases > 0
    AND user_id IS NOT NULL
)
SELECT
    A.asin as Asin1, B.asin as Asin2
FROM
    asin_CTE A
CROSS JOIN
    asin_CTE B
WHERE
    A.asin <> B.asin
