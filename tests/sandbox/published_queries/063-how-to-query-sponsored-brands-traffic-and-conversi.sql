-- source: AMC instructional query library, "How to query Sponsored Brands traffic and conversions" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH sb_campaigns (campaign) AS (
  VALUES
    ('campaign111'),
    ('campaign222'),
    ('campaign333')
),
initial_aggregation AS (
  SELECT
    aae.campaign AS campaign,
    aae.targeting AS targeting,
    aae.match_type AS match_type,
    aae.placement_type AS placement_type,
    aae.customer_search_term AS customer_search_term_list,
    SUM(total_detail_page_view) AS total_detail_page_view,
    SUM(total_detail_page_view_clicks) AS total_detail_page_view_clicks,
    SUM(total_detail_page_view_views) AS total_detail_page_view_views,
    SUM(total_add_to_cart) AS total_add_to_cart
  FROM
    amazon_attributed_events_by_conversion_time AS aae
  WHERE
    ad_product_type = 'sponsored_brands'
  GROUP BY
    1,
    2,
    3,
    4,
    5
)
SELECT
  IA.campaign AS campaign,
  IA.targeting AS targeting,
  IA.match_type AS match_type,
  IA.placement_type AS placement_type,
  COLLECT(distinct IA.customer_search_term_list) AS customer_search_term_list,
  SUM(IA.total_detail_page_view) AS total_detail_page_view,
  SUM(IA.total_detail_page_view_clicks) AS total_detail_page_view_clicks,
  SUM(IA.total_detail_page_view_views) AS total_detail_page_view_views,
  SUM(IA.total_add_to_cart) AS total_add_to_cart
FROM
  initial_aggregation IA
GROUP BY
  1,
  2,
  3,
  4
