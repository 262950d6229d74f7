-- source: AMC instructional query library, "Introduction to AMC SQL" (query 75 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    ARRAY_SORT(COLLECT(DISTINCT <column1>)) AS column1,
    <column2>
  FROM
    <table>
  GROUP BY
    2
