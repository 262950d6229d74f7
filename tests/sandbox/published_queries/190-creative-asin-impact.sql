-- source: AMC instructional query library, "creative asin impact" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    campaign
    , campaign_id_string
    , creative_asin
    , creative
FROM sponsored_ads_traffic
GROUP BY 1, 2, 3, 4
