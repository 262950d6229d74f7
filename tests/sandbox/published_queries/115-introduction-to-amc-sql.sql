-- source: AMC instructional query library, "Introduction to AMC SQL" (query 71 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    <column_name_1>,
    <column_name_2>,
    ...,
    <column_name_n>,
    COLLECT(<column1>) AS <column_name_collected_arary>
FROM
    <table_name>
GROUP BY
    1,2,...,n
