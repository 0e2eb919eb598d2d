-- A CHECK added NOT VALID takes ACCESS EXCLUSIVE only for a moment: existing rows are not scanned.
ALTER TABLE "comments" ADD CONSTRAINT "comments_body_not_blank" CHECK (btrim("body") <> '') NOT VALID;
