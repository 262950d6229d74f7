-- source: AMC instructional query library, "How to query Sponsored Display traffic" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    campaign,
    campaign_id_string,
    line_item_price_type,
    sum(impressions) as imp,
    sum(viewable_impressions) as view_imp,
    SUM(clicks) AS clicks,
    SUM(spend / 100000000) AS spend
FROM sponsored_ads_traffic
WHERE
    ad_product_type = 'sponsored_display'
GROUP BY
    1,2, 3
