-- source: AMC instructional query library, "Introduction to AMC SQL" (query 77 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH test_campaigns (campaign) AS (
  VALUES
    ('Testing_Campaign_1'),
    ('Testing_Campaign_2')
),
test_split AS (
  SELECT
    campaign,
    regexp_split(campaign, '_') AS split_campaign
  FROM
    test_campaigns
)
SELECT
  campaign,
  split_campaign,
  ARRAY_TO_STRING(split_campaign, '&') AS string_campaign
FROM
  test_split
