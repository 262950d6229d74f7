-- source: AMC instructional query library, "Amazon Brand Store Insights in AMC" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH bsi_user_list AS (
  SELECT
    user_id,
    'ATC' AS bsi_action,
    COUNT(distinct session_id)
  FROM
    amazon_brand_store_engagement_events
  WHERE
    event_sub_type = 'ADDTOCART'
    GROUP BY 1,2
),
bsi_event_counter AS (
  SELECT
    bsi_action,
    COUNT(DISTINCT user_id) AS bsi_action_ceiling
  FROM
    bsi_user_list
  GROUP BY
    1
),
bundled AS (
  SELECT
    bsi.user_id AS bsi_user_id,
    asi.user_id AS asi_user_id,
    bsi.bsi_action,
    asi.segment_marketplace_id,
    asi.segment_name,
    asi.segment_id
  FROM
    bsi_user_list bsi
    INNER JOIN audience_segments_amer_lifestyle asi ON bsi.user_id = asi.user_id
),
grouped AS (
  SELECT
    b.bsi_action,
    b.segment_marketplace_id,
    b.segment_name,
    b.segment_id,
    COUNT(DISTINCT b.bsi_user_id) AS cd_bsi_user_id,
    COUNT(DISTINCT b.asi_user_id) AS cd_asi_user_id
  FROM
    bundled b
  GROUP BY
    1,
    2,
    3,
    4
),
joined AS (
  SELECT
    g.bsi_action,
    g.segment_marketplace_id,
    g.segment_name,
    g.segment_id,
    g.cd_bsi_user_id,
    g.cd_asi_user_id,
    bsiec.bsi_action_ceiling
  FROM
    grouped g
    INNER JOIN bsi_event_counter bsiec ON g.bsi_action = bsiec.bsi_action
)
SELECT
  j.bsi_action,
  j.segment_marketplace_id,
  j.segment_name,
  j.segment_id,
  j.cd_bsi_user_id,
  j.cd_asi_user_id,
  j.bsi_action_ceiling,
  (j.cd_asi_user_id / j.bsi_action_ceiling) * 100 AS perc_share_of_bsi_associated_users
FROM
  joined j
