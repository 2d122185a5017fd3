-- merges isbn and born year
--
-- Revision ID: 05064f5a84c8
-- Revises: 67c69459d7e5, 9fea3bc4b144
-- Create Date: 2026-12-02 05:28:16.032087

-- === upgrade ===

-- A merge revision joins branches and usually needs no SQL; add some here only if the
-- branches' changes need reconciling.

-- === downgrade ===

-- Undo here what the upgrade section does (usually nothing).
