-- Rollback of 20251118154530_sync_schema_phase30: drops the tables, columns and enums it created.
-- Data written to them since is lost; the guide recommends restoring the backup instead.

-- DropForeignKey
ALTER TABLE IF EXISTS "reviews" DROP CONSTRAINT IF EXISTS "reviews_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "notifications" DROP CONSTRAINT IF EXISTS "notifications_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "return_items" DROP CONSTRAINT IF EXISTS "return_items_orderItemId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "return_items" DROP CONSTRAINT IF EXISTS "return_items_returnId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "returns" DROP CONSTRAINT IF EXISTS "returns_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "returns" DROP CONSTRAINT IF EXISTS "returns_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "shipments" DROP CONSTRAINT IF EXISTS "shipments_shippingRateId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "shipments" DROP CONSTRAINT IF EXISTS "shipments_warehouseId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "shipments" DROP CONSTRAINT IF EXISTS "shipments_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "shipping_rates" DROP CONSTRAINT IF EXISTS "shipping_rates_zoneId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "coupon_usages" DROP CONSTRAINT IF EXISTS "coupon_usages_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "coupon_usages" DROP CONSTRAINT IF EXISTS "coupon_usages_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "coupon_usages" DROP CONSTRAINT IF EXISTS "coupon_usages_couponId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "coupons" DROP CONSTRAINT IF EXISTS "coupons_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "coupons" DROP CONSTRAINT IF EXISTS "coupons_categoryId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "stock_reservations" DROP CONSTRAINT IF EXISTS "stock_reservations_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "stock_reservations" DROP CONSTRAINT IF EXISTS "stock_reservations_inventoryItemId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "stock_movements" DROP CONSTRAINT IF EXISTS "stock_movements_performedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "stock_movements" DROP CONSTRAINT IF EXISTS "stock_movements_inventoryItemId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "inventory_items" DROP CONSTRAINT IF EXISTS "inventory_items_warehouseId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "inventory_items" DROP CONSTRAINT IF EXISTS "inventory_items_variantId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "inventory_items" DROP CONSTRAINT IF EXISTS "inventory_items_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "abandoned_carts" DROP CONSTRAINT IF EXISTS "abandoned_carts_recoveredOrderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "abandoned_carts" DROP CONSTRAINT IF EXISTS "abandoned_carts_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "recommendations" DROP CONSTRAINT IF EXISTS "recommendations_sourceProductId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "recommendations" DROP CONSTRAINT IF EXISTS "recommendations_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "recommendations" DROP CONSTRAINT IF EXISTS "recommendations_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "saved_searches" DROP CONSTRAINT IF EXISTS "saved_searches_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_views" DROP CONSTRAINT IF EXISTS "product_views_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_views" DROP CONSTRAINT IF EXISTS "product_views_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "search_queries" DROP CONSTRAINT IF EXISTS "search_queries_clickedProductId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "search_queries" DROP CONSTRAINT IF EXISTS "search_queries_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "user_behaviors" DROP CONSTRAINT IF EXISTS "user_behaviors_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "store_credit_transactions" DROP CONSTRAINT IF EXISTS "store_credit_transactions_createdById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "store_credit_transactions" DROP CONSTRAINT IF EXISTS "store_credit_transactions_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "store_credit_transactions" DROP CONSTRAINT IF EXISTS "store_credit_transactions_storeCreditId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "store_credits" DROP CONSTRAINT IF EXISTS "store_credits_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "gift_card_transactions" DROP CONSTRAINT IF EXISTS "gift_card_transactions_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "gift_card_transactions" DROP CONSTRAINT IF EXISTS "gift_card_transactions_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "gift_card_transactions" DROP CONSTRAINT IF EXISTS "gift_card_transactions_giftCardId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "gift_cards" DROP CONSTRAINT IF EXISTS "gift_cards_purchasedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_notifications" DROP CONSTRAINT IF EXISTS "deal_notifications_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_notifications" DROP CONSTRAINT IF EXISTS "deal_notifications_dealId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_purchases" DROP CONSTRAINT IF EXISTS "deal_purchases_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_purchases" DROP CONSTRAINT IF EXISTS "deal_purchases_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_purchases" DROP CONSTRAINT IF EXISTS "deal_purchases_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_purchases" DROP CONSTRAINT IF EXISTS "deal_purchases_dealId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_products" DROP CONSTRAINT IF EXISTS "deal_products_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "deal_products" DROP CONSTRAINT IF EXISTS "deal_products_dealId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "referrals" DROP CONSTRAINT IF EXISTS "referrals_refereeId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "referrals" DROP CONSTRAINT IF EXISTS "referrals_referrerId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "reward_redemptions" DROP CONSTRAINT IF EXISTS "reward_redemptions_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "reward_redemptions" DROP CONSTRAINT IF EXISTS "reward_redemptions_customerLoyaltyId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "reward_redemptions" DROP CONSTRAINT IF EXISTS "reward_redemptions_rewardId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "rewards" DROP CONSTRAINT IF EXISTS "rewards_programId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "point_transactions" DROP CONSTRAINT IF EXISTS "point_transactions_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "point_transactions" DROP CONSTRAINT IF EXISTS "point_transactions_customerLoyaltyId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "customer_loyalty" DROP CONSTRAINT IF EXISTS "customer_loyalty_tierId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "customer_loyalty" DROP CONSTRAINT IF EXISTS "customer_loyalty_programId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "customer_loyalty" DROP CONSTRAINT IF EXISTS "customer_loyalty_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "loyalty_tiers" DROP CONSTRAINT IF EXISTS "loyalty_tiers_programId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "category_analytics" DROP CONSTRAINT IF EXISTS "category_analytics_categoryId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_analytics" DROP CONSTRAINT IF EXISTS "product_analytics_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_analytics" DROP CONSTRAINT IF EXISTS "vendor_analytics_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "bnpl_installments" DROP CONSTRAINT IF EXISTS "bnpl_installments_planId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "bnpl_payment_plans" DROP CONSTRAINT IF EXISTS "bnpl_payment_plans_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "bnpl_payment_plans" DROP CONSTRAINT IF EXISTS "bnpl_payment_plans_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "subscription_invoices" DROP CONSTRAINT IF EXISTS "subscription_invoices_subscriptionId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "subscriptions" DROP CONSTRAINT IF EXISTS "subscriptions_planId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "subscriptions" DROP CONSTRAINT IF EXISTS "subscriptions_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_clicks" DROP CONSTRAINT IF EXISTS "ad_clicks_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_clicks" DROP CONSTRAINT IF EXISTS "ad_clicks_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_clicks" DROP CONSTRAINT IF EXISTS "ad_clicks_impressionId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_clicks" DROP CONSTRAINT IF EXISTS "ad_clicks_advertisementId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_impressions" DROP CONSTRAINT IF EXISTS "ad_impressions_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_impressions" DROP CONSTRAINT IF EXISTS "ad_impressions_advertisementId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_keywords" DROP CONSTRAINT IF EXISTS "ad_keywords_campaignId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "advertisements" DROP CONSTRAINT IF EXISTS "advertisements_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "advertisements" DROP CONSTRAINT IF EXISTS "advertisements_campaignId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "ad_campaigns" DROP CONSTRAINT IF EXISTS "ad_campaigns_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "translations" DROP CONSTRAINT IF EXISTS "translations_languageCode_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "category_translations" DROP CONSTRAINT IF EXISTS "category_translations_languageCode_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "category_translations" DROP CONSTRAINT IF EXISTS "category_translations_categoryId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_translations" DROP CONSTRAINT IF EXISTS "product_translations_languageCode_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_translations" DROP CONSTRAINT IF EXISTS "product_translations_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "bundle_items" DROP CONSTRAINT IF EXISTS "bundle_items_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "bundle_items" DROP CONSTRAINT IF EXISTS "bundle_items_bundleId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "wishlist" DROP CONSTRAINT IF EXISTS "wishlist_variantId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "wishlist" DROP CONSTRAINT IF EXISTS "wishlist_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "wishlist" DROP CONSTRAINT IF EXISTS "wishlist_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "product_variants" DROP CONSTRAINT IF EXISTS "product_variants_productId_fkey";

-- DropIndex
DROP INDEX IF EXISTS "orders_paymentStatus_idx";

-- DropIndex
DROP INDEX IF EXISTS "reviews_status_idx";

-- DropIndex
DROP INDEX IF EXISTS "reviews_orderId_idx";

-- AlterTable
ALTER TABLE IF EXISTS "reviews" DROP COLUMN IF EXISTS "vendorRespondedAt",
DROP COLUMN IF EXISTS "vendorResponse",
DROP COLUMN IF EXISTS "images",
DROP COLUMN IF EXISTS "notHelpfulCount",
DROP COLUMN IF EXISTS "helpfulCount",
DROP COLUMN IF EXISTS "status",
DROP COLUMN IF EXISTS "isVerifiedPurchase",
DROP COLUMN IF EXISTS "orderId";

-- AlterTable
ALTER TABLE IF EXISTS "orders" DROP COLUMN IF EXISTS "loyaltyPointsRedeemed",
DROP COLUMN IF EXISTS "loyaltyPointsEarned",
DROP COLUMN IF EXISTS "cancelledAt",
DROP COLUMN IF EXISTS "deliveredAt",
DROP COLUMN IF EXISTS "shippedAt",
DROP COLUMN IF EXISTS "carrier",
DROP COLUMN IF EXISTS "trackingNumber",
DROP COLUMN IF EXISTS "currency",
DROP COLUMN IF EXISTS "paymentStatus",
DROP COLUMN IF EXISTS "paymentMethod",
DROP COLUMN IF EXISTS "couponCode",
DROP COLUMN IF EXISTS "discount";

-- DropTable
DROP TABLE IF EXISTS "notifications";

-- DropTable
DROP TABLE IF EXISTS "return_items";

-- DropTable
DROP TABLE IF EXISTS "returns";

-- DropTable
DROP TABLE IF EXISTS "tax_rates";

-- DropTable
DROP TABLE IF EXISTS "shipments";

-- DropTable
DROP TABLE IF EXISTS "shipping_rates";

-- DropTable
DROP TABLE IF EXISTS "shipping_zones";

-- DropTable
DROP TABLE IF EXISTS "coupon_usages";

-- DropTable
DROP TABLE IF EXISTS "coupons";

-- DropTable
DROP TABLE IF EXISTS "stock_reservations";

-- DropTable
DROP TABLE IF EXISTS "stock_movements";

-- DropTable
DROP TABLE IF EXISTS "inventory_items";

-- DropTable
DROP TABLE IF EXISTS "warehouses";

-- DropTable
DROP TABLE IF EXISTS "abandoned_carts";

-- DropTable
DROP TABLE IF EXISTS "recommendations";

-- DropTable
DROP TABLE IF EXISTS "saved_searches";

-- DropTable
DROP TABLE IF EXISTS "product_views";

-- DropTable
DROP TABLE IF EXISTS "search_queries";

-- DropTable
DROP TABLE IF EXISTS "user_behaviors";

-- DropTable
DROP TABLE IF EXISTS "store_credit_transactions";

-- DropTable
DROP TABLE IF EXISTS "store_credits";

-- DropTable
DROP TABLE IF EXISTS "gift_card_transactions";

-- DropTable
DROP TABLE IF EXISTS "gift_cards";

-- DropTable
DROP TABLE IF EXISTS "deal_notifications";

-- DropTable
DROP TABLE IF EXISTS "deal_purchases";

-- DropTable
DROP TABLE IF EXISTS "deal_products";

-- DropTable
DROP TABLE IF EXISTS "deals";

-- DropTable
DROP TABLE IF EXISTS "referrals";

-- DropTable
DROP TABLE IF EXISTS "reward_redemptions";

-- DropTable
DROP TABLE IF EXISTS "rewards";

-- DropTable
DROP TABLE IF EXISTS "point_transactions";

-- DropTable
DROP TABLE IF EXISTS "customer_loyalty";

-- DropTable
DROP TABLE IF EXISTS "loyalty_tiers";

-- DropTable
DROP TABLE IF EXISTS "loyalty_programs";

-- DropTable
DROP TABLE IF EXISTS "traffic_analytics";

-- DropTable
DROP TABLE IF EXISTS "revenue_analytics";

-- DropTable
DROP TABLE IF EXISTS "category_analytics";

-- DropTable
DROP TABLE IF EXISTS "product_analytics";

-- DropTable
DROP TABLE IF EXISTS "vendor_analytics";

-- DropTable
DROP TABLE IF EXISTS "bnpl_installments";

-- DropTable
DROP TABLE IF EXISTS "bnpl_payment_plans";

-- DropTable
DROP TABLE IF EXISTS "subscription_invoices";

-- DropTable
DROP TABLE IF EXISTS "subscriptions";

-- DropTable
DROP TABLE IF EXISTS "subscription_plans";

-- DropTable
DROP TABLE IF EXISTS "ad_clicks";

-- DropTable
DROP TABLE IF EXISTS "ad_impressions";

-- DropTable
DROP TABLE IF EXISTS "ad_keywords";

-- DropTable
DROP TABLE IF EXISTS "advertisements";

-- DropTable
DROP TABLE IF EXISTS "ad_campaigns";

-- DropTable
DROP TABLE IF EXISTS "translations";

-- DropTable
DROP TABLE IF EXISTS "category_translations";

-- DropTable
DROP TABLE IF EXISTS "product_translations";

-- DropTable
DROP TABLE IF EXISTS "languages";

-- DropTable
DROP TABLE IF EXISTS "bundle_items";

-- DropTable
DROP TABLE IF EXISTS "product_bundles";

-- DropTable
DROP TABLE IF EXISTS "wishlist";

-- DropTable
DROP TABLE IF EXISTS "product_variants";

-- DropEnum
DROP TYPE IF EXISTS "NotificationType";

-- DropEnum
DROP TYPE IF EXISTS "ReturnStatus";

-- DropEnum
DROP TYPE IF EXISTS "ShipmentStatus";

-- DropEnum
DROP TYPE IF EXISTS "CouponType";

-- DropEnum
DROP TYPE IF EXISTS "StockMovementType";

-- DropEnum
DROP TYPE IF EXISTS "GiftCardTransactionType";

-- DropEnum
DROP TYPE IF EXISTS "GiftCardStatus";

-- DropEnum
DROP TYPE IF EXISTS "DealStatus";

-- DropEnum
DROP TYPE IF EXISTS "DealType";

-- DropEnum
DROP TYPE IF EXISTS "ReferralStatus";

-- DropEnum
DROP TYPE IF EXISTS "RewardType";

-- DropEnum
DROP TYPE IF EXISTS "PointTransactionType";

-- DropEnum
DROP TYPE IF EXISTS "InstallmentStatus";

-- DropEnum
DROP TYPE IF EXISTS "BnplStatus";

-- DropEnum
DROP TYPE IF EXISTS "BnplProvider";

-- DropEnum
DROP TYPE IF EXISTS "SubscriptionInvoiceStatus";

-- DropEnum
DROP TYPE IF EXISTS "SubscriptionStatus";

-- DropEnum
DROP TYPE IF EXISTS "BillingInterval";

-- DropEnum
DROP TYPE IF EXISTS "AdType";

-- DropEnum
DROP TYPE IF EXISTS "CampaignStatus";

-- DropEnum
DROP TYPE IF EXISTS "ReviewStatus";

-- DropEnum
DROP TYPE IF EXISTS "PaymentStatus";

-- DropEnum
DROP TYPE IF EXISTS "PaymentMethod";
