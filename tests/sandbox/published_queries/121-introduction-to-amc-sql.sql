-- source: AMC instructional query library, "Introduction to AMC SQL" (query 78 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
   <column1>, <window function>
   OVER(
    PARTITION BY <column2>
    [ORDER BY <column3>]
    )
FROM table
