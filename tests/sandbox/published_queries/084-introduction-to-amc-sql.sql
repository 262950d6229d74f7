-- source: AMC instructional query library, "Introduction to AMC SQL" (query 13 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT <column1>, <column2>, ...
FROM <table1>
WHERE <condition>
