-- source: AMC instructional query library, "Introduction to AMC SQL" (query 58 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT DISTINCT (EXTRACT(MONTH FROM impression_dt)) as impression_month
from dsp_impressions
