-- source: AMC instructional query library, "How to query sponsored ads keywords" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  targeting as keyword,
  customer_search_term,
  match_type,
  campaign,
  ad_product_type,
  SUM(impressions) as impressions,
  SUM(clicks) as clicks
FROM
  sponsored_ads_traffic
  where match_type in('PHRASE', 'BROAD', 'EXACT')
GROUP BY
  1,
  2,
  3,
  4,
  5
