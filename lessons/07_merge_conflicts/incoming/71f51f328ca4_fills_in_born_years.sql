-- fills in born years
--
-- Revision ID: 71f51f328ca4
-- Revises: 9fea3bc4b144
-- Create Date: 2026-12-02 05:27:48.049580

-- === upgrade ===

-- Data only: the authors the program adds as examples get the year they were born. Authors
-- with a born year already keep theirs.
UPDATE authors SET born_year = 1929 WHERE name = 'Ursula K. Le Guin' AND born_year IS NULL;
UPDATE authors SET born_year = 1947 WHERE name = 'Octavia E. Butler' AND born_year IS NULL;

-- === downgrade ===

-- Forget only the years the upgrade filled in.
UPDATE authors SET born_year = NULL WHERE name = 'Ursula K. Le Guin' AND born_year = 1929;
UPDATE authors SET born_year = NULL WHERE name = 'Octavia E. Butler' AND born_year = 1947;
