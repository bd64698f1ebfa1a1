-- Rollback of 20251119004754_add_vendor_management_system.

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_performance_metrics" DROP CONSTRAINT IF EXISTS "vendor_performance_metrics_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_commission_rules" DROP CONSTRAINT IF EXISTS "vendor_commission_rules_categoryId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_commission_rules" DROP CONSTRAINT IF EXISTS "vendor_commission_rules_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_payouts" DROP CONSTRAINT IF EXISTS "vendor_payouts_vendorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_applications" DROP CONSTRAINT IF EXISTS "vendor_applications_reviewedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_applications" DROP CONSTRAINT IF EXISTS "vendor_applications_vendorProfileId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_applications" DROP CONSTRAINT IF EXISTS "vendor_applications_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "vendor_profiles" DROP CONSTRAINT IF EXISTS "vendor_profiles_userId_fkey";

-- DropTable
DROP TABLE IF EXISTS "vendor_performance_metrics";

-- DropTable
DROP TABLE IF EXISTS "vendor_commission_rules";

-- DropTable
DROP TABLE IF EXISTS "vendor_payouts";

-- DropTable
DROP TABLE IF EXISTS "vendor_applications";

-- DropTable
DROP TABLE IF EXISTS "vendor_profiles";

-- DropEnum
DROP TYPE IF EXISTS "PayoutMethod";

-- DropEnum
DROP TYPE IF EXISTS "PayoutStatus";

-- DropEnum
DROP TYPE IF EXISTS "VendorApplicationStatus";

-- DropEnum
DROP TYPE IF EXISTS "VendorStatus";
