-- source: AMC instructional query library, "Net-new reach by campaign group" (query 3 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
event_type_description,
tracked_item,
SUM(conversions) AS conversions
FROM conversions_all
WHERE
conversions > 0
and event_type_description in ('Product detail page viewed')
GROUP BY event_type_description,
tracked_item
