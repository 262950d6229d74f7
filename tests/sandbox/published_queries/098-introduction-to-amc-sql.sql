-- source: AMC instructional query library, "Introduction to AMC SQL" (query 40 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT SUM( <column1>)
FROM table_name
WHERE condition
