-- source: AMC instructional query library, "Introduction to AMC SQL" (query 103 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH line_items AS
(
    SELECT
        line_item,
        sum(impressions) as impressions
    FROM
        dsp_impressions
    GROUP BY
        1
 ),
ranked AS
(
    SELECT
        line_item,
        impressions,
        RANK() OVER(ORDER BY impressions DESC) Impression_Rank
    FROM
        line_items
)
SELECT
    line_item,
    impressions
FROM
    ranked
WHERE
    Impression_Rank <= 10
