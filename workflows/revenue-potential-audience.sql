-- Rule-based audience: every customer the segment rules label 'Revenue Potential Customer'.
-- Reads only the _for_audiences tables (rendered into the shared rules).
WITH
--#include _customer_segments.sql
SELECT
    user_id
FROM customer_segments
WHERE customer_audience_segment = 'Revenue Potential Customer'
