CREATE TABLE a (x text);
INSERT INTO a VALUES ('semi;colon', 'it''s');
-- a comment; with a semicolon
SELECT E'back\'slash;', "odd;name", U&'\0041' FROM a;
/* block; /* nested; */ still comment; */
CREATE FUNCTION f() RETURNS int AS $body$
BEGIN RETURN 1; END;
$body$ LANGUAGE plpgsql;
SELECT $$a;b$$, a$b FROM a WHERE x = $1;
  ;;
SELECT 1 -- no semicolon at the end
