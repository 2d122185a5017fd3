-- concurrent index
-- Revision ID: abc
-- Revises: 1a2b3c4d5e6f
-- Transaction: no
-- Destructive: drops column books.x
-- === upgrade ===
CREATE INDEX CONCURRENTLY i ON books (title);
ALTER TABLE books DROP COLUMN x;
-- === downgrade ===
DROP INDEX i;
