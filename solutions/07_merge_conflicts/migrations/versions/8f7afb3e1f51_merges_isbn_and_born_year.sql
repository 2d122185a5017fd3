-- merges isbn and born year
--
-- Revision ID: 8f7afb3e1f51
-- Revises: ac8e7d48c25a, 4b75da9a8e13
-- Create Date: 2026-12-02 05:23:16.606843

-- === upgrade ===

-- A merge revision joins branches and usually needs no SQL; add some here only if the
-- branches' changes need reconciling.

-- === downgrade ===

-- Undo here what the upgrade section does (usually nothing).
