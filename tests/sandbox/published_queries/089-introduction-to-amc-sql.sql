-- source: AMC instructional query library, "Introduction to AMC SQL" (query 19 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH <cte_name1>
AS (<query>),
<cte_name2>
AS (<query>)
SELECT <column1>,<column2>
FROM <cte_name>
