-- Rollback of organization_module. Roll back 20251202_add_owner_relation_and_role_permissions first:
-- its role_permissions table references organization_roles and permissions.

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_invoices" DROP CONSTRAINT IF EXISTS "organization_invoices_billingId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_invoices" DROP CONSTRAINT IF EXISTS "organization_invoices_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_billing" DROP CONSTRAINT IF EXISTS "organization_billing_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_audit_logs" DROP CONSTRAINT IF EXISTS "organization_audit_logs_actorId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_audit_logs" DROP CONSTRAINT IF EXISTS "organization_audit_logs_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_api_keys" DROP CONSTRAINT IF EXISTS "organization_api_keys_createdById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_api_keys" DROP CONSTRAINT IF EXISTS "organization_api_keys_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_invitations" DROP CONSTRAINT IF EXISTS "organization_invitations_invitedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_invitations" DROP CONSTRAINT IF EXISTS "organization_invitations_roleId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_invitations" DROP CONSTRAINT IF EXISTS "organization_invitations_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "kyc_applications" DROP CONSTRAINT IF EXISTS "kyc_applications_reviewedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "kyc_applications" DROP CONSTRAINT IF EXISTS "kyc_applications_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_roles" DROP CONSTRAINT IF EXISTS "organization_roles_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "teams" DROP CONSTRAINT IF EXISTS "teams_leadId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "teams" DROP CONSTRAINT IF EXISTS "teams_departmentId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "teams" DROP CONSTRAINT IF EXISTS "teams_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "departments" DROP CONSTRAINT IF EXISTS "departments_headId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "departments" DROP CONSTRAINT IF EXISTS "departments_parentId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "departments" DROP CONSTRAINT IF EXISTS "departments_organizationId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_members" DROP CONSTRAINT IF EXISTS "organization_members_invitedById_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_members" DROP CONSTRAINT IF EXISTS "organization_members_departmentId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_members" DROP CONSTRAINT IF EXISTS "organization_members_roleId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_members" DROP CONSTRAINT IF EXISTS "organization_members_userId_fkey";

-- DropForeignKey
ALTER TABLE IF EXISTS "organization_members" DROP CONSTRAINT IF EXISTS "organization_members_organizationId_fkey";

-- DropTable
DROP TABLE IF EXISTS "organization_invoices";

-- DropTable
DROP TABLE IF EXISTS "organization_billing";

-- DropTable
DROP TABLE IF EXISTS "organization_audit_logs";

-- DropTable
DROP TABLE IF EXISTS "organization_api_keys";

-- DropTable
DROP TABLE IF EXISTS "organization_invitations";

-- DropTable
DROP TABLE IF EXISTS "kyc_applications";

-- DropTable
DROP TABLE IF EXISTS "permissions";

-- DropTable
DROP TABLE IF EXISTS "organization_roles";

-- DropTable
DROP TABLE IF EXISTS "teams";

-- DropTable
DROP TABLE IF EXISTS "departments";

-- DropTable
DROP TABLE IF EXISTS "organization_members";

-- DropTable
DROP TABLE IF EXISTS "organizations";

-- DropEnum
DROP TYPE IF EXISTS "KycStatus";

-- DropEnum
DROP TYPE IF EXISTS "MemberStatus";

-- DropEnum
DROP TYPE IF EXISTS "OrganizationStatus";

-- DropEnum
DROP TYPE IF EXISTS "OrganizationType";
