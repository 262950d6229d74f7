-- source: AMC instructional query library, "Path to conversion by audience segment" (query 7 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH campaign_group (campaign_id_string, campaign_group) AS (
  VALUES
    ('campaign_id_string', 'campaign_group')
    ),
ad_tag (tracked_item) AS (VALUES ('tag1'), ('tag2')),
conversion_event_type_description (conversion_event_type_description) AS (VALUES ('placeholder')),
impressions AS (
  SELECT
    COALESCE(G.campaign_group, 'DSP-Others') AS campaign_group,
    'DSP' AS product_type,
    user_id,
    MIN(impression_dt_utc) AS impression_dt_first,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost
  FROM
    dsp_impressions i  INNER JOIN campaign_group dsp on dsp.campaign_id_string = i.campaign_id_string
    LEFT JOIN campaign_group G ON g.campaign_id_string = i.campaign_id_string
  WHERE
    user_id IS NOT NULL
  GROUP BY
    1,
    2,
    3
),
impressions_segment as (
  SELECT
    user_id
  FROM
  dsp_impressions
  WHERE
    impressions > 0
    AND user_id IN (select user_id from impressions group by 1)
    AND ARRAY_CONTAINS(user_behavior_segment_ids, '9999')
  GROUP BY 1
),
converted AS (
  SELECT
    user_id,
    MAX(conversion_event_dt_utc) AS conversion_event_dt_last,
    SUM(conversions) AS off_amazon_conversions
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    conversion_event_category in ('pixel','off-Amazon')
    AND conversions > 0
    AND (lower(tracked_item) IN (SELECT lower(tracked_item) from ad_tag)
            OR lower(conversion_event_type_description) in (SELECT lower(conversion_event_type_description) from conversion_event_type_description))
    AND user_id IS NOT NULL
    AND user_id IN (select user_id from impressions_segment group by 1)
    AND (campaign_id_string IN (Select campaign_id_string from campaign_group))
  GROUP BY
    1
),
filter_impressions AS (
  SELECT
    i.user_id AS imp_user_id,
    c.user_id AS pur_user_id,
    i.campaign_group,
    i.impressions,
    i.impression_dt_first,
    (i.total_cost / 1e5) AS total_cost,
    c.conversion_event_dt_last,
    COALESCE(c.off_amazon_conversions, 0) AS off_amazon_conversions
  FROM
    impressions i
    LEFT JOIN converted c ON c.user_id = i.user_id
  WHERE
    ((
      c.user_id IS NOT NULL
      AND i.impression_dt_first < c.conversion_event_dt_last
    )
    OR c.user_id IS NULL)
    AND i.user_id IN (select user_id from impressions_segment group by 1)
),
ranked AS (
  SELECT
    NAMED_ROW(
      'order',
      ROW_NUMBER() OVER (
        PARTITION BY f.imp_user_id
        ORDER BY
          f.impression_dt_first
      ),
      'campaign_group',
      f.campaign_group
    ) AS campaign_order,
    imp_user_id
  FROM
    filter_impressions f
  WHERE
    f.imp_user_id IS NOT NULL
),
assembled AS (
  SELECT
    ARRAY_SORT(COLLECT(DISTINCT a.campaign_order)) AS path,
    a.imp_user_id
  FROM
    ranked a
  GROUP BY
    a.imp_user_id
),
filter_impressions_dedupe AS (
  SELECT
    imp_user_id AS imp_user_id,
    SUM(impressions) AS impressions,
    SUM(total_cost) AS total_cost,
    MAX(IF(pur_user_id IS NOT NULL, 1, 0)) AS converted,
    MAX(off_amazon_conversions) as off_amazon_conversions
  FROM
    filter_impressions
  GROUP BY
    imp_user_id
),
assembled_with_imp_conv AS (
  SELECT
    path AS path,
    COUNT(DISTINCT a.imp_user_id) AS reach,
    SUM(b.impressions) AS impressions,
    SUM(b.total_cost) AS imp_total_cost,
    SUM(b.converted) AS users_that_converted,
    SUM(b.off_amazon_conversions) AS off_amazon_conversions
  FROM
    assembled a
    LEFT JOIN filter_impressions_dedupe b ON a.imp_user_id = b.imp_user_id
  GROUP BY
    path
)
SELECT
  path,
  reach AS path_occurrences,
  impressions,
  imp_total_cost,
  users_that_converted,
  off_amazon_conversions as conversions,
  (users_that_converted / reach) AS user_conversion_rate,
  (imp_total_cost / users_that_converted) AS cpa
FROM
  assembled_with_imp_conv
