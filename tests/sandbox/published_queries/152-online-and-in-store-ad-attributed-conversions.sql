-- source: AMC instructional query library, "Online and in-store ad-attributed conversions" (query 2 of the page; export in GitHub idealerror/amazon-ads-amc-use-cases)
WITH display_campaigns (campaign_id) AS (
  VALUES
    ('111111111111111111'),
    ('222222222222222222'),
    ('333333333333333333')
),
sa_campaigns (campaign) AS (
  VALUES
    ('SP_campaign_name_1'),
    ('SD_campaign_name_2'),
    ('SB_campaign_name_3')
),
Purchases AS (
    SELECT
        COALESCE(ad_product_type, 'dsp')        AS ad_product_type,
        advertiser,
        campaign_id,
        campaign                                AS campaign_name,
        line_item_id,
        line_item                               AS line_item_name,
        tracked_asin                            AS ASIN,
        IF(purchases>0,'Promoted','Brand Halo') AS ASIN_Promoted_Or_BH,
        CASE purchase_retail_program
            WHEN 'Amazon Fresh'       THEN  concat('Amazon Fresh online order through ', conversion_event_marketplace_name)
            WHEN 'Whole Foods Market' THEN  concat('Whole Foods Market online order through ', conversion_event_marketplace_name)
            ELSE                            conversion_event_marketplace_name
        END                                     AS purchase_type,
        total_purchases                         AS total_purchases,
        total_product_sales                     AS total_product_sales,
        new_to_brand_total_purchases            AS total_ntb_purchases,
        new_to_brand_total_product_sales        AS total_ntb_product_sales
    FROM
        amazon_attributed_events_by_conversion_time att
    WHERE
        total_purchases > 0
)
SELECT
    ad_product_type,
    advertiser,
    campaign_id,
    campaign_name,
    line_item_id,
    line_item_name,
    ASIN,
    ASIN_Promoted_Or_BH,
    SUM( if (purchase_type = 'AMAZON.COM'                                         , total_purchases         ,0)) AS  Amazon_com_Purchases,
    SUM( if (purchase_type = 'WHOLE_FOODS_MARKET_US'                              , total_purchases         ,0)) AS  Whole_Foods_Physical_Store_Purchases,
    SUM( if (purchase_type = 'Whole Foods Market online order through AMAZON.COM' , total_purchases         ,0)) AS  Whole_Foods_on_Amazon_Purchases,
    SUM( if (purchase_type = 'Amazon Fresh online order through AMAZON.COM'       , total_purchases         ,0)) AS  Fresh_on_Amazon_Purchases,
    SUM( if (purchase_type = 'AMAZON_FRESH_STORES_US'                             , total_purchases         ,0)) AS  Amazon_Fresh_Physical_Store_Purchases,
    SUM( if (purchase_type = 'AMAZON.COM'                                         , total_product_sales     ,0)) AS  Amazon_com_Sales,
    SUM( if (purchase_type = 'WHOLE_FOODS_MARKET_US'                              , total_product_sales     ,0)) AS  Whole_Foods_Physical_Store_Sales,
    SUM( if (purchase_type = 'Whole Foods Market online order through AMAZON.COM' , total_product_sales     ,0)) AS  Whole_Foods_on_Amazon_Sales,
    SUM( if (purchase_type = 'Amazon Fresh online order through AMAZON.COM'       , total_product_sales     ,0)) AS  Fresh_on_Amazon_Sales,
    SUM( if (purchase_type = 'AMAZON_FRESH_STORES_US'                             , total_product_sales     ,0)) AS  Amazon_Fresh_Physical_Store_Sales,
    SUM( if (purchase_type = 'AMAZON.COM'                                         , total_ntb_purchases     ,0)) AS  Amazon_com_NTB_Purchases,
    SUM( if (purchase_type = 'WHOLE_FOODS_MARKET_US'                              , total_ntb_purchases     ,0)) AS  Whole_Foods_Physical_Store_NTB_Purchases,
    SUM( if (purchase_type = 'Whole Foods Market online order through AMAZON.COM' , total_ntb_purchases     ,0)) AS  Whole_Foods_on_Amazon_NTB_Purchases,
    SUM( if (purchase_type = 'Amazon Fresh online order through AMAZON.COM'       , total_ntb_purchases     ,0)) AS  Fresh_on_Amazon_NTB_Purchases,
    SUM( if (purchase_type = 'AMAZON_FRESH_STORES_US'                             , total_ntb_purchases     ,0)) AS  Amazon_Fresh_Physical_Store_NTB_Purchases,
    SUM( if (purchase_type = 'AMAZON.COM'                                         , total_ntb_product_sales ,0)) AS  Amazon_com_NTB_Sales,
    SUM( if (purchase_type = 'WHOLE_FOODS_MARKET_US'                              , total_ntb_product_sales ,0)) AS  Whole_Foods_Physical_Store_NTB_Sales,
    SUM( if (purchase_type = 'Whole Foods Market online order through AMAZON.COM' , total_ntb_product_sales ,0)) AS  Whole_Foods_on_Amazon_NTB_Sales,
    SUM( if (purchase_type = 'Amazon Fresh online order through AMAZON.COM'       , total_ntb_product_sales ,0)) AS  Fresh_on_Amazon_NTB_Sales,
    SUM( if (purchase_type = 'AMAZON_FRESH_STORES_US'                             , total_ntb_product_sales ,0)) AS  Amazon_Fresh_Physical_Store_NTB_Sales
FROM
    Purchases
GROUP BY
    1,2,3,4,5,6,7,8
