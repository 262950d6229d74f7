-- source: AMC instructional query library, "Online ad-attributed conversions - Whole Foods, Fresh, and Amazon.com" (query 1 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
SELECT
    coalesce(ad_product_type, 'dsp') as ad_product_type,
    advertiser,
    campaign,
    tracked_asin as asin,
    case
    when purchase_retail_program = 'Amazon Fresh' then concat('Amazon Fresh online order through ', conversion_event_marketplace_name)
    when purchase_retail_program = 'Whole Foods Market' then concat('Whole Foods Market online order through ', conversion_event_marketplace_name)
    when purchase_retail_program IS NULL THEN conversion_event_marketplace_name
    else concat(purchase_retail_program, ' through ', conversion_event_marketplace_name)
    end as purchase_type,
    count(distinct user_id) as users_that_purchased,
    sum(purchases) as purchases
FROM amazon_attributed_events_by_conversion_time
WHERE purchases > 0
GROUP BY 1,2,3,4,5
;
