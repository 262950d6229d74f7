-- source: AMC instructional query library, "How to query sponsored ads keywords" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  targeting as keyword,
  customer_search_term,
  match_type,
  campaign,
  ad_product_type,
  SUM(total_detail_page_view) as total_dpv,
  SUM(total_purchases) as total_purchases
FROM
  amazon_attributed_events_by_traffic_time
  where match_type in('PHRASE', 'BROAD', 'EXACT')
GROUP BY
  1,
  2,
  3,
  4,
  5
