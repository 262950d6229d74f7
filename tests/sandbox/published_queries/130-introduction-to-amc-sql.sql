-- source: AMC instructional query library, "Introduction to AMC SQL" (query 94 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH test_data(test) AS (
  VALUES
    (20),
    (45),
    (30),
    (66),
    (50),
    (60),
    (85),
    (70)
)
SELECT
  STDDEV(test) as STDDEV_sample_stardard_deviation,
  VARIANCE(test) as VARIANCE_sample_variance
FROM
  test_data
