-- source: AMC instructional query library, "Introduction to AMC SQL" (query 11 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT <column1>, <column2>....,<columnn>
FROM table1
UNION
SELECT <column1>, <column2>....,<columnn>
FROM table2
