-- AlterTable
ALTER TABLE "invoices" ADD COLUMN "note" TEXT;
