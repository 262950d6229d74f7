-- source: AMC instructional query library, "Introduction to AMC SQL" (query 47 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT COUNT( <column1>), <column2>
FROM table_name
GROUP BY 2
