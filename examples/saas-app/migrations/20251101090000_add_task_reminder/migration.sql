-- AlterTable: a nullable column without a default is a catalog-only change.
ALTER TABLE "tasks" ADD COLUMN "reminder_at" TIMESTAMPTZ(3);
