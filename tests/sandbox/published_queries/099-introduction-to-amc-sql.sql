-- source: AMC instructional query library, "Introduction to AMC SQL" (query 41 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT <column1>, SUM <column2>
FROM table_name
WHERE condition
GROUP BY 1
