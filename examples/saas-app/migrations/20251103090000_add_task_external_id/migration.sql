-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "external_id" UUID NOT NULL DEFAULT gen_random_uuid();

-- CreateIndex
CREATE UNIQUE INDEX "tasks_external_id_key" ON "tasks"("external_id");
