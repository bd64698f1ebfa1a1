-- Rollback of 20251202_add_owner_relation_and_role_permissions.

-- DropForeignKey
ALTER TABLE IF EXISTS "role_permissions" DROP CONSTRAINT IF EXISTS "role_permissions_permissionId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "role_permissions" DROP CONSTRAINT IF EXISTS "role_permissions_roleId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organizations" DROP CONSTRAINT IF EXISTS "organizations_ownerId_fkey";

-- DropTable
DROP TABLE IF EXISTS "role_permissions";
