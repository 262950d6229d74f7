-- source: AMC instructional query library, "Introduction to AMC SQL" (query 66 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    campaign,
    ad_product_type,
    SUM(purchases) AS purchases
FROM
    amazon_attributed_events_by_traffic_time
WHERE
    ad_product_type IN ('sponsored_products', 'sponsored_display')
GROUP BY
    1,
    2
