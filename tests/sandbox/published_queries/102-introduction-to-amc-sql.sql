-- source: AMC instructional query library, "Introduction to AMC SQL" (query 46 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT COUNT(<column_name>)
FROM table_name
WHERE condition
