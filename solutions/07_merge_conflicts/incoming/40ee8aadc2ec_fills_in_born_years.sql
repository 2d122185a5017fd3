-- fills in born years
--
-- Revision ID: 40ee8aadc2ec
-- Revises: 4b75da9a8e13
-- Create Date: 2026-12-02 05:20:47.566608

-- === upgrade ===

-- Data only: the authors the program adds as examples get the year they were born. Authors
-- with a born year already keep theirs.
UPDATE authors SET born_year = 1929 WHERE name = 'Ursula K. Le Guin' AND born_year IS NULL;
UPDATE authors SET born_year = 1947 WHERE name = 'Octavia E. Butler' AND born_year IS NULL;

-- === downgrade ===

-- Forget only the years the upgrade filled in.
UPDATE authors SET born_year = NULL WHERE name = 'Ursula K. Le Guin' AND born_year = 1929;
UPDATE authors SET born_year = NULL WHERE name = 'Octavia E. Butler' AND born_year = 1947;
