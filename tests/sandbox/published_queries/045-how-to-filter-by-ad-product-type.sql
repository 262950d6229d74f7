-- source: AMC instructional query library, "How to filter by ad product type" (query 11 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  campaign,
  campaign_id_string,
  line_item,
  line_item_id,
  line_item_type,
  site,
  supply_source,
  device_type,
  SUM(impressions) AS impressions
FROM
  dsp_impressions
WHERE
  line_item_type = 'AAP_VIDEO_CPM'
  AND (
    line_item SIMILAR TO 'OLV'
    OR campaign SIMILAR TO 'OLV'
    OR line_item SIMILAR TO '(?!)online video'
    OR campaign SIMILAR TO '(?!)online video'
  )
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8
