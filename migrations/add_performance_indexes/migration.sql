-- Performance indexes for the CitadelBuy schema.
-- IF NOT EXISTS keeps the script re-runnable after a partial manual application.

-- ===== Category 1: Core Entities: products, orders, users, reviews =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_category_active" ON "products"("categoryId", "isActive");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_active_created" ON "products"("createdAt" DESC) WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_featured_created" ON "products"("createdAt" DESC) WHERE "isFeatured" = true AND "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_price" ON "products"("price");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_vendor_active" ON "products"("vendorId", "isActive") WHERE "vendorId" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_name_lower" ON "products"(lower("name"));

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_low_stock" ON "products"("stock") WHERE "stock" < 10 AND "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_updated" ON "products"("updatedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_products_category_covering" ON "products"("categoryId") INCLUDE ("name", "price", "stock") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_user_created" ON "orders"("userId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_status_created" ON "orders"("status", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_created" ON "orders"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_payment_status_created" ON "orders"("paymentStatus", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_pending_created" ON "orders"("createdAt") WHERE "status" = 'PENDING';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_tracking" ON "orders"("trackingNumber") WHERE "trackingNumber" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_coupon" ON "orders"("couponCode") WHERE "couponCode" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_orders_user_covering" ON "orders"("userId") INCLUDE ("status", "total", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_order_items_order_covering" ON "order_items"("orderId") INCLUDE ("productId", "quantity", "price");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_order_items_product_created" ON "order_items"("productId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_users_role" ON "users"("role");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_users_created" ON "users"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_users_email_lower" ON "users"(lower("email"));

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_users_last_login" ON "users"("lastLoginAt" DESC) WHERE "lastLoginAt" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_users_unverified_created" ON "users"("createdAt") WHERE "emailVerified" = false;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reviews_product_rating" ON "reviews"("productId", "rating");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reviews_product_approved" ON "reviews"("productId", "createdAt" DESC) WHERE "status" = 'APPROVED';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reviews_user_created" ON "reviews"("userId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reviews_verified_purchase" ON "reviews"("productId") WHERE "isVerifiedPurchase" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reviews_product_covering" ON "reviews"("productId") INCLUDE ("rating", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_categories_parent_sort" ON "categories"("parentId", "sortOrder");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_categories_active_sort" ON "categories"("sortOrder") WHERE "isActive" = true;

-- ===== Category 2: Shopping Cart: cart items, abandoned carts =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_cart_items_user_updated" ON "cart_items"("userId", "updatedAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_cart_items_updated" ON "cart_items"("updatedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_cart_items_user_covering" ON "cart_items"("userId") INCLUDE ("productId", "quantity");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_abandoned_carts_created" ON "abandoned_carts"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_abandoned_carts_unrecovered" ON "abandoned_carts"("updatedAt") WHERE "recoveredAt" IS NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_abandoned_carts_email_pending" ON "abandoned_carts"("email", "lastEmailSentAt") WHERE "recoveredAt" IS NULL AND "email" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_abandoned_carts_session" ON "abandoned_carts"("sessionId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_abandoned_carts_value_unrecovered" ON "abandoned_carts"("totalValue" DESC) WHERE "recoveredAt" IS NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_wishlist_user_created" ON "wishlist"("userId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_coupons_active_expires" ON "coupons"("expiresAt") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_coupon_usages_coupon_user" ON "coupon_usages"("couponId", "userId");

-- ===== Category 3: Inventory: stock management, warehouses =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_inventory_items_product_warehouse" ON "inventory_items"("productId", "warehouseId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_inventory_items_reorder" ON "inventory_items"("warehouseId", "quantity") WHERE "quantity" <= "reorderPoint";

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_inventory_items_reserved" ON "inventory_items"("productId") WHERE "reservedQuantity" > 0;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_inventory_items_warehouse_covering" ON "inventory_items"("warehouseId") INCLUDE ("productId", "quantity", "reservedQuantity");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_inventory_items_last_counted" ON "inventory_items"("lastCountedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_warehouses_active_priority" ON "warehouses"("priority") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_warehouses_country_state" ON "warehouses"("country", "state");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_stock_movements_item_created" ON "stock_movements"("inventoryItemId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_stock_movements_type_created" ON "stock_movements"("type", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_stock_movements_reference" ON "stock_movements"("referenceType", "referenceId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_stock_reservations_open_expires" ON "stock_reservations"("expiresAt") WHERE "releasedAt" IS NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_variants_product_active" ON "product_variants"("productId", "position") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_variants_low_stock" ON "product_variants"("stock") WHERE "stock" < 5;

-- ===== Category 4: Vendor Management: profiles, payouts, performance =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_profiles_status_created" ON "vendor_profiles"("status", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_profiles_verified_rating" ON "vendor_profiles"("rating" DESC) WHERE "isVerified" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_profiles_business_name_lower" ON "vendor_profiles"(lower("businessName"));

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_profiles_total_sales" ON "vendor_profiles"("totalSales" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_payouts_vendor_created" ON "vendor_payouts"("vendorId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_payouts_status_created" ON "vendor_payouts"("status", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_payouts_pending" ON "vendor_payouts"("vendorId") WHERE "status" = 'PENDING';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_payouts_period" ON "vendor_payouts"("periodStart", "periodEnd");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_payouts_vendor_covering" ON "vendor_payouts"("vendorId") INCLUDE ("amount", "status", "periodEnd");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_performance_metrics_period" ON "vendor_performance_metrics"("periodStart" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_performance_metrics_rating" ON "vendor_performance_metrics"("averageRating" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_applications_status_submitted" ON "vendor_applications"("status", "submittedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_commission_rules_active_priority" ON "vendor_commission_rules"("vendorId", "priority" DESC) WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_vendor_analytics_date" ON "vendor_analytics"("date");

-- ===== Category 5: Advertising: campaigns, impressions, clicks =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_campaigns_vendor_status" ON "ad_campaigns"("vendorId", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_campaigns_active_dates" ON "ad_campaigns"("startDate", "endDate") WHERE "status" = 'ACTIVE';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_campaigns_created" ON "ad_campaigns"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_advertisements_campaign_active" ON "advertisements"("campaignId") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_advertisements_type_active" ON "advertisements"("type", "isActive");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_advertisements_campaign_covering" ON "advertisements"("campaignId") INCLUDE ("type", "bidAmount", "isActive");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_keywords_keyword_match" ON "ad_keywords"("keyword", "matchType");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_impressions_ad_created" ON "ad_impressions"("advertisementId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_impressions_created" ON "ad_impressions"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_impressions_user" ON "ad_impressions"("userId") WHERE "userId" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_impressions_placement_created" ON "ad_impressions"("placement", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_clicks_ad_created" ON "ad_clicks"("advertisementId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_clicks_created" ON "ad_clicks"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_clicks_converted" ON "ad_clicks"("advertisementId") WHERE "converted" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_clicks_user" ON "ad_clicks"("userId") WHERE "userId" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_ad_clicks_order" ON "ad_clicks"("orderId") WHERE "orderId" IS NOT NULL;

-- ===== Category 6: Loyalty & Rewards: points, tiers, referrals =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_customer_loyalty_program_tier" ON "customer_loyalty"("programId", "tierId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_customer_loyalty_points_balance" ON "customer_loyalty"("pointsBalance" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_customer_loyalty_lifetime_points" ON "customer_loyalty"("lifetimePoints" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_customer_loyalty_last_activity" ON "customer_loyalty"("lastActivityAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_point_transactions_loyalty_created" ON "point_transactions"("customerLoyaltyId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_point_transactions_type_created" ON "point_transactions"("type", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_point_transactions_expiring" ON "point_transactions"("expiresAt") WHERE "expiresAt" IS NOT NULL AND "type" = 'EARNED';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_point_transactions_loyalty_covering" ON "point_transactions"("customerLoyaltyId") INCLUDE ("type", "points", "balanceAfter");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_loyalty_tiers_program_min_points" ON "loyalty_tiers"("programId", "minPoints");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_referrals_referrer_status" ON "referrals"("referrerId", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_referrals_status_created" ON "referrals"("status", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_referrals_email" ON "referrals"("email") WHERE "email" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_rewards_program_active" ON "rewards"("programId", "pointsCost") WHERE "isActive" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reward_redemptions_loyalty_created" ON "reward_redemptions"("customerLoyaltyId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_reward_redemptions_unused_expires" ON "reward_redemptions"("expiresAt") WHERE "usedAt" IS NULL;

-- ===== Category 7: Search & Analytics: queries, views, tracking =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_search_queries_created" ON "search_queries"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_search_queries_normalized_created" ON "search_queries"("normalizedQuery", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_search_queries_user_created" ON "search_queries"("userId", "createdAt" DESC) WHERE "userId" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_search_queries_zero_results" ON "search_queries"("normalizedQuery") WHERE "resultsCount" = 0;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_search_queries_session" ON "search_queries"("sessionId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_views_product_created" ON "product_views"("productId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_views_user_created" ON "product_views"("userId", "createdAt" DESC) WHERE "userId" IS NOT NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_views_session" ON "product_views"("sessionId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_views_created" ON "product_views"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_user_behaviors_user_created" ON "user_behaviors"("userId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_user_behaviors_action_created" ON "user_behaviors"("action", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_user_behaviors_entity" ON "user_behaviors"("entityType", "entityId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_user_behaviors_session_created" ON "user_behaviors"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_saved_searches_alerts" ON "saved_searches"("lastAlertAt") WHERE "alertEnabled" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_analytics_date" ON "product_analytics"("date");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_product_analytics_product_covering" ON "product_analytics"("productId", "date" DESC) INCLUDE ("views", "purchases", "revenue");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_traffic_analytics_source_date" ON "traffic_analytics"("source", "date");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_recommendations_user_score" ON "recommendations"("userId", "score" DESC);

-- ===== Category 8: Organization Module: members, roles, audit logs =====

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_members_org_status" ON "organization_members"("organizationId", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_members_user_status" ON "organization_members"("userId", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_members_active" ON "organization_members"("organizationId") WHERE "status" = 'ACTIVE';

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_members_org_joined" ON "organization_members"("organizationId", "joinedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_members_org_covering" ON "organization_members"("organizationId") INCLUDE ("userId", "roleId", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_roles_system" ON "organization_roles"("name") WHERE "isSystem" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_roles_default" ON "organization_roles"("organizationId") WHERE "isDefault" = true;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_audit_logs_org_created" ON "organization_audit_logs"("organizationId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_audit_logs_actor_created" ON "organization_audit_logs"("actorId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_audit_logs_resource" ON "organization_audit_logs"("resourceType", "resourceId");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_audit_logs_action_created" ON "organization_audit_logs"("action", "createdAt" DESC);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_audit_logs_created" ON "organization_audit_logs"("createdAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organizations_status_type" ON "organizations"("status", "type");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organizations_name_lower" ON "organizations"(lower("name"));

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_invitations_pending" ON "organization_invitations"("organizationId", "expiresAt") WHERE "acceptedAt" IS NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_organization_api_keys_active" ON "organization_api_keys"("organizationId") WHERE "revokedAt" IS NULL;

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_kyc_applications_status_submitted" ON "kyc_applications"("status", "submittedAt");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "idx_teams_org_department" ON "teams"("organizationId", "departmentId");
