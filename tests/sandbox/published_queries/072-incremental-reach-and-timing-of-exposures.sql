-- source: AMC instructional query library, "Incremental reach and timing of exposures" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH
focus AS (
  SELECT
    campaign_id
  FROM
    (
      VALUES
        (1111111111)
    ) AS b(campaign_id)
),
base AS (
  SELECT
    campaign_id
  FROM
    (
      VALUES
        (2222222222),
        (3333333333)
    ) AS c(campaign_id)
),
focus_reach_timing AS (
  SELECT
    user_id
,
    MIN(impression_dt) focus_first_imp_dt
  FROM
    dsp_impressions
  WHERE
    campaign_id IN (
      SELECT
        campaign_id
      FROM
        focus
    )
  GROUP BY
    1
),
base_reach_timing AS (
  SELECT
    user_id
,
    MIN(impression_dt) base_first_imp_dt
  FROM
    dsp_impressions
  WHERE
    campaign_id IN (
      SELECT
        campaign_id
      FROM
        base
    )
  GROUP BY
    1
),
combined AS (
  SELECT
    COALESCE(fc.user_id, base.user_id) user_id,
    fc.focus_first_imp_dt,
    base.base_first_imp_dt
  FROM
    focus_reach_timing fc
    FULL OUTER JOIN base_reach_timing base ON fc.user_id = base.user_id
  GROUP BY
    1,
    2,
    3
),
combined2 AS (
  SELECT
    'table' tb
,
    CASE
      WHEN base_first_imp_dt IS NULL THEN 'focus_campaign_incremental_reach'
      WHEN focus_first_imp_dt <= base_first_imp_dt THEN 'exposed_to_focus_campaign_first'
      WHEN focus_first_imp_dt > base_first_imp_dt THEN 'exposed_to_base_campaign_first'
      ELSE 'other'
    END exposure_timing_group,
    COUNT(DISTINCT user_id) reach
  FROM
    combined
  WHERE
    focus_first_imp_dt IS NOT NULL
  GROUP BY
    1,
    2
),
tot_focus_reach AS (
  SELECT
    'table' tb
,
    COUNT(DISTINCT user_id) tot_focus_reach
  FROM
    focus_reach_timing
  GROUP BY
    1
),
final AS (
  SELECT
    c2.exposure_timing_group,
    c2.reach,
    tot.tot_focus_reach
  FROM
    combined2 c2
    LEFT JOIN tot_focus_reach tot ON c2.tb = tot.tb
)
SELECT
  exposure_timing_group,
  reach AS campaign_group_reach,
  tot_focus_reach AS focus_campaign_reach,
  reach / tot_focus_reach AS reach_perc
FROM
  final
GROUP BY
  1,
  2,
  3,
  4
