-- seed
-- Revision ID: c0ffee
-- === upgrade ===
\restrict k
COPY t (a, b) FROM stdin;
1	O'Brien
\N	x
\.
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
\unrestrict k
-- === downgrade ===
DROP FUNCTION f();
