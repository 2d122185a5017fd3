\restrict aBcD
SELECT pg_catalog.set_config('search_path', '', false);
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;
COPY public.t (id, name) FROM stdin;
1	O'Brien; DROP TABLE t;
\N	$$ /* x
\.
COPY t FROM stdin WITH (FORMAT csv);
3,"a ""quoted"" name"
\.
CREATE TABLE (x;
\connect other
\unrestrict aBcD
