\restrict aBcDSELECT pg_catalog.set_config('se);END;
COPY public.t (id, name) FROM stdin