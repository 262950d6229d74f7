-- source: AMC instructional query library, "Sponsored Display and DSP overlap" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH DSP (campaign_id) AS (
  VALUES
    (1111111111111),
    (2222222222222)
),
SD (campaign) AS (
  VALUES
    ('SD_campaign_name_1'),
    ('SD_campaign_name_2')
),
purchases AS (
  SELECT
    user_id,
    conversion_event_dt,
    UUID() AS conversion_id,
    SUM(if(ad_product_type IS NULL, purchases, 0)) AS dsp_purchases,
    SUM(
      IF(
        ad_product_type = 'sponsored_display',
        purchases_clicks,
        0
      )
    ) AS search_purchases
  FROM
    amazon_attributed_events_by_traffic_time
  WHERE
    (
      campaign_id IN (
        SELECT
          campaign_id
        FROM
          DSP
      )
      OR campaign IN (
        SELECT
          campaign
        FROM
          SD
      )
    )
  GROUP BY
    1,
    2,
    3
),
purchases_last_total AS (
  SELECT
    user_id,
    MAX(conversion_event_dt) AS conversion_event_dt_last,
    SUM(dsp_purchases + search_purchases) AS purchases,
    SUM(dsp_purchases) AS dsp_purchases,
    SUM(search_purchases) AS search_purchases
  FROM
    purchases
  WHERE
    dsp_purchases + search_purchases > 0
  GROUP BY
    1
),
impressions AS (
  SELECT
    user_id,
    UUID() AS impression_id,
    event_dt AS impression_dt,
    'SD' AS IMP_ad_type,
    SUM(impressions) AS impressions
  FROM
    sponsored_ads_traffic
  WHERE
    impressions > 0
    AND ad_product_type = 'sponsored_display'
    AND campaign IN (
      SELECT
        campaign
      FROM
        SD
    )
  GROUP BY
    1,
    2,
    3
  UNION ALL
  SELECT
    user_id,
    UUID() AS impression_id,
    impression_dt AS impression_dt,
    'DSP' AS IMP_ad_type,
    SUM(impressions) AS impressions
  FROM
    dsp_impressions
  WHERE
    impressions > 0
    AND campaign_id IN (
      SELECT
        campaign_id
      FROM
        DSP
    )
  GROUP BY
    1,
    2,
    3
),
impressions_first_total AS (
  SELECT
    user_id,
    IMP_ad_type,
    MIN(impression_dt) AS impression_dt_first,
    SUM(impressions) AS impressions
  FROM
    impressions
  GROUP BY
    1,
    2
),
combined AS (
  SELECT
    imp.user_id AS imp_USER,
    pur.user_id AS pur_USER,
    IMP_ad_type,
    impressions,
    impression_dt_first,
    purchases,
    dsp_purchases,
    search_purchases,
    conversion_event_dt_last,
    CASE
      WHEN conversion_event_dt_last IS NULL THEN 'no purchase'
      WHEN conversion_event_dt_last > impression_dt_first THEN 'pre-purchase'
      WHEN conversion_event_dt_last < impression_dt_first THEN 'post-purchase'
      ELSE 'other'
    END AS impression_timing
  FROM
    purchases_last_total pur
    FULL OUTER JOIN impressions_first_total imp ON pur.user_id = imp.user_id
),
binned_data AS (
  SELECT
    imp_USER,
    pur_USER,
    SUM(
      IF(
        impression_timing = 'no purchase'
        AND IMP_ad_type = 'DSP',
        impressions,
        0
      )
    ) AS no_purch_DSP_impressions,
    SUM(
      IF(
        impression_timing = 'pre-purchase'
        AND IMP_ad_type = 'DSP',
        impressions,
        0
      )
    ) AS pre_purch_DSP_impressions,
    SUM(
      IF(
        impression_timing = 'post-purchase'
        AND IMP_ad_type = 'DSP',
        impressions,
        0
      )
    ) AS post_purch_DSP_impressions,
    SUM(
      IF(
        impression_timing = 'other'
        AND IMP_ad_type = 'DSP',
        impressions,
        0
      )
    ) AS other_DSP_impressions,
    SUM(IF(IMP_ad_type = 'DSP', impressions, 0)) AS total_DSP_impressions,
    SUM(
      IF(
        impression_timing = 'no purchase'
        AND IMP_ad_type = 'SD',
        impressions,
        0
      )
    ) AS no_purch_SD_impressions,
    SUM(
      IF(
        impression_timing = 'pre-purchase'
        AND IMP_ad_type = 'SD',
        impressions,
        0
      )
    ) AS pre_purch_SD_impressions,
    SUM(
      IF(
        impression_timing = 'post-purchase'
        AND IMP_ad_type = 'SD',
        impressions,
        0
      )
    ) AS post_purch_SD_impressions,
    SUM(
      IF(
        impression_timing = 'other'
        AND IMP_ad_type = 'SD',
        impressions,
        0
      )
    ) AS other_SD_impressions,
    SUM(IF(IMP_ad_type = 'SD', impressions, 0)) AS total_SD_impressions,
    MAX(purchases) AS purchases,
    MAX(dsp_purchases) AS dsp_purchases,
    MAX(search_purchases) AS search_purchases
  FROM
    combined
  GROUP BY
    1,
    2
),
users_purchased AS (
  SELECT
    imp_USER,
    pur_USER,
    SUM(no_purch_DSP_impressions) AS no_purch_DSP_impressions,
    SUM(pre_purch_DSP_impressions) AS pre_purch_DSP_impressions,
    SUM(no_purch_SD_impressions) AS no_purch_SD_impressions,
    SUM(pre_purch_SD_impressions) AS pre_purch_SD_impressions
  FROM
    binned_data
  WHERE
    purchases > 0
  GROUP BY
    1,
    2
),
users_purchased_exp AS (
  SELECT
    IF(
      (
        pre_purch_DSP_impressions > 0
        AND pre_purch_SD_impressions > 0
      )
      OR (
        no_purch_DSP_impressions > 0
        AND no_purch_SD_impressions > 0
      ),
      'both',
      IF(
        (
          pre_purch_DSP_impressions > 0
          OR no_purch_DSP_impressions > 0
        )
        AND (
          pre_purch_SD_impressions = 0
          AND no_purch_SD_impressions = 0
        ),
        'DSP',
        IF(
          (
            pre_purch_DSP_impressions = 0
            AND no_purch_DSP_impressions = 0
          )
          AND (
            pre_purch_SD_impressions > 0
            OR no_purch_SD_impressions > 0
          ),
          'SD',
          IF(
            pre_purch_DSP_impressions = 0
            AND no_purch_DSP_impressions = 0
            AND pre_purch_SD_impressions = 0
            AND no_purch_SD_impressions = 0,
            'none',
            'NA'
          )
        )
      )
    ) AS exposure_group,
    COUNT(DISTINCT imp_USER) AS users_that_purchased_with_impressions,
    COUNT(DISTINCT pur_USER) AS users_that_purchased
  FROM
    users_purchased
  GROUP BY
    exposure_group
),
users_all_exp AS (
  SELECT
    IF(
      (
        pre_purch_DSP_impressions > 0
        AND pre_purch_SD_impressions > 0
      )
      OR (
        no_purch_DSP_impressions > 0
        AND no_purch_SD_impressions > 0
      ),
      'both',
      IF(
        (
          pre_purch_DSP_impressions > 0
          OR no_purch_DSP_impressions > 0
        )
        AND (
          pre_purch_SD_impressions = 0
          AND no_purch_SD_impressions = 0
        ),
        'DSP',
        IF(
          (
            pre_purch_DSP_impressions = 0
            AND no_purch_DSP_impressions = 0
          )
          AND (
            pre_purch_SD_impressions > 0
            OR no_purch_SD_impressions > 0
          ),
          'SD',
          IF(
            pre_purch_DSP_impressions = 0
            AND no_purch_DSP_impressions = 0
            AND pre_purch_SD_impressions = 0
            AND no_purch_SD_impressions = 0,
            'none',
            'NA'
          )
        )
      )
    ) AS exposure_group,
    COUNT(DISTINCT imp_USER) AS unique_reach,
    SUM(purchases) AS purchases,
    SUM(dsp_purchases) AS dsp_purchases,
    SUM(search_purchases) AS search_purchases,
    SUM(no_purch_DSP_impressions) AS no_purch_DSP_impressions,
    SUM(pre_purch_DSP_impressions) AS pre_purch_DSP_impressions,
    SUM(post_purch_DSP_impressions) AS post_purch_DSP_impressions,
    SUM(other_DSP_impressions) AS other_DSP_impressions,
    SUM(total_DSP_impressions) AS total_DSP_impressions,
    SUM(no_purch_SD_impressions) AS no_purch_SD_impressions,
    SUM(pre_purch_SD_impressions) AS pre_purch_SD_impressions,
    SUM(post_purch_SD_impressions) AS post_purch_SD_impressions,
    SUM(other_SD_impressions) AS other_SD_impressions,
    SUM(total_SD_impressions) AS total_SD_impressions
  FROM
    binned_data
  GROUP BY
    exposure_group
)
SELECT
  a.exposure_group,
  unique_reach,
  users_that_purchased,
  purchases
FROM
  users_all_exp a
  LEFT JOIN users_purchased_exp p ON a.exposure_group = p.exposure_group
