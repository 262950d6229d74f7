-- source: AMC instructional query library, "Introduction to AMC SQL" (query 14 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT <column1>, <FUNC>( <column2>), ...
FROM <table1>
WHERE <condition1>
GROUP BY <column1>
