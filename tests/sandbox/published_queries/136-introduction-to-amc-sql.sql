-- source: AMC instructional query library, "Introduction to AMC SQL" (query 107 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH CTE (campaign_group, campaign_name) AS (
VALUES
('1', 'Campaign_A'),
('1', 'Campaign_B'),
('1', 'Campaign_C'),
('2', 'Campaign_D'),
('2', 'Campaign_E'),
('2', 'Campaign_F')
)
SELECT
ROW_NUMBER() OVER (
ORDER BY
campaign_group,
campaign_name
) AS row_id,
campaign_group,
campaign_name
FROM
CTE
