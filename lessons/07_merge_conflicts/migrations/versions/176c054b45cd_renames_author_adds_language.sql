-- renames author, adds language
--
-- Revision ID: 176c054b45cd
-- Revises: 882669b367ba
-- Create Date: 2026-12-01 22:55:29.047623

-- === upgrade ===

ALTER TABLE books RENAME COLUMN author TO author_name;
ALTER TABLE books ADD COLUMN language text NOT NULL DEFAULT 'en';
ALTER TABLE books ALTER COLUMN language DROP DEFAULT;

-- === downgrade ===

ALTER TABLE books DROP COLUMN language;
ALTER TABLE books RENAME COLUMN author_name TO author;
