-- source: AMC instructional query library, "Introduction to AMC SQL" (query 4 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT <table1>.<column1>, <table2>.<column2>, <table2>.<column1>,....
FROM table1
JOIN table2
ON <table1>.<matching_column1> = <table2>.<matching_column2>
