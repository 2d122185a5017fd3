-- moves author names to authors
--
-- Revision ID: e7250f230796
-- Revises: 65f95fab51d7
-- Create Date: 2026-12-02 05:18:20.046179

-- === upgrade ===

-- every name not in authors yet becomes one author, however many books carry it
INSERT INTO authors (name)
SELECT DISTINCT author_name FROM books
WHERE author_name IS NOT NULL AND author_name NOT IN (SELECT name FROM authors);

-- each book with a name points to the author of that name
UPDATE books SET author_id = authors.id
FROM authors
WHERE authors.name = books.author_name;

ALTER TABLE books DROP COLUMN author_name;

-- === downgrade ===

ALTER TABLE books ADD COLUMN author_name text;

-- each book with an author gets the author's name back; the authors stay
UPDATE books SET author_name = authors.name
FROM authors
WHERE authors.id = books.author_id;
