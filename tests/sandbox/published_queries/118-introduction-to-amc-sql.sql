-- source: AMC instructional query library, "Introduction to AMC SQL" (query 74 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    COLLECT(DISTINCT <column1>) AS column1,
    <column2>
  FROM
    <table>
  GROUP BY
    2
