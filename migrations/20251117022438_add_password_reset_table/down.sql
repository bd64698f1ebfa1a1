-- Rollback of 20251117022438_add_password_reset_table: drops the initial schema it created.

-- DropForeignKey
ALTER TABLE IF EXISTS "password_resets" DROP CONSTRAINT IF EXISTS "password_resets_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "addresses" DROP CONSTRAINT IF EXISTS "addresses_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "cart_items" DROP CONSTRAINT IF EXISTS "cart_items_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "cart_items" DROP CONSTRAINT IF EXISTS "cart_items_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "reviews" DROP CONSTRAINT IF EXISTS "reviews_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "reviews" DROP CONSTRAINT IF EXISTS "reviews_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "order_items" DROP CONSTRAINT IF EXISTS "order_items_productId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "order_items" DROP CONSTRAINT IF EXISTS "order_items_orderId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "orders" DROP CONSTRAINT IF EXISTS "orders_shippingAddressId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "orders" DROP CONSTRAINT IF EXISTS "orders_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "products" DROP CONSTRAINT IF EXISTS "products_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "products" DROP CONSTRAINT IF EXISTS "products_categoryId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "categories" DROP CONSTRAINT IF EXISTS "categories_parentId_fkey";

-- DropTable
DROP TABLE IF EXISTS "password_resets";

-- DropTable
DROP TABLE IF EXISTS "addresses";

-- DropTable
DROP TABLE IF EXISTS "cart_items";

-- DropTable
DROP TABLE IF EXISTS "reviews";

-- DropTable
DROP TABLE IF EXISTS "order_items";

-- DropTable
DROP TABLE IF EXISTS "orders";

-- DropTable
DROP TABLE IF EXISTS "products";

-- DropTable
DROP TABLE IF EXISTS "categories";

-- DropTable
DROP TABLE IF EXISTS "users";

-- DropEnum
DROP TYPE IF EXISTS "OrderStatus";

-- DropEnum
DROP TYPE IF EXISTS "UserRole";
