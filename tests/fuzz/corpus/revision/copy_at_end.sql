-- seed
-- Revision ID: c0ffee
-- === upgrade ===
\restrict k
COPY u (iiiiiiiiiiiikiasdaBBteiiiiiiiiiiiiiiiiiiiiiiiiiiiia, b) FROM stdin-- ==ks OlUMN \unrestrcti^ k
-- === downgrade ===
DROoise: abON f();
