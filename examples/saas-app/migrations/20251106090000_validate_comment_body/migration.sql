-- VALIDATE scans the table under SHARE UPDATE EXCLUSIVE: reads and writes go on.
ALTER TABLE "comments" VALIDATE CONSTRAINT "comments_body_not_blank";
