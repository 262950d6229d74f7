-- source: AMC instructional query library, "How to calculate campaign costs" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
  CONCAT('cid_', campaign_id_string) AS campaign_id,
  campaign,
  currency_name,
  currency_iso_code,
  SUM(impression_cost / 100000) AS impression_cost,
  SUM(total_cost / 100000) AS total_cost,
  SUM(supply_cost / 100000000) AS supply_cost,
  SUM(platform_fee / 100000000) AS platform_fee,
  COALESCE(SUM(managed_service_fee) / 100000000, 0) AS managed_service_fee,
  SUM(audience_fee / 100000000) AS audience_fee,
  SUM(third_party_fees / 100000000) AS third_party_fees,
  SUM(ocm_fee / 100000000) AS ocm_fee,
  (
    COALESCE(SUM(supply_cost) / 100000000, 0) +
    COALESCE(SUM(platform_fee) / 100000000, 0) +
    COALESCE(SUM(managed_service_fee) / 100000000, 0) +
    COALESCE(SUM(audience_fee) / 100000000, 0) +
    COALESCE(SUM(third_party_fees) / 100000000, 0) +
    COALESCE(SUM(ocm_fee) / 100000000, 0)
) AS impression_cost_calculated
FROM
  dsp_impressions
GROUP BY
  1,
  2,
  3,
  4
