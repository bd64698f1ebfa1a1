-- Rollback of add_privacy_consent (the guide's template, plus the enums the migration creates).
-- It targets "users": the migration only applies once "User" has been corrected to "users".

-- Drop privacy tables
DROP TABLE IF EXISTS "ConsentLog" CASCADE;
DROP TABLE IF EXISTS "DataDeletionRequest" CASCADE;
DROP TABLE IF EXISTS "DataExportRequest" CASCADE;
DROP TABLE IF EXISTS "AgreedTerms" CASCADE;

-- Remove columns from users table
ALTER TABLE "users" DROP COLUMN IF EXISTS "deletedAt";
ALTER TABLE "users" DROP COLUMN IF EXISTS "processingRestricted";

-- DropEnum
DROP TYPE IF EXISTS "PrivacyRequestStatus";
DROP TYPE IF EXISTS "ConsentType";
