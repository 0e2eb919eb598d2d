-- CreateIndex: alone in its file, so it runs outside a transaction and CONCURRENTLY works.
CREATE INDEX CONCURRENTLY "tasks_reminder_at_idx" ON "tasks"("reminder_at") WHERE "reminder_at" IS NOT NULL;
