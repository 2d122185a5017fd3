/// @file
/// Autogenerate: read the live schema (reflect), compare it with the app's models (compare),
/// write the SQL between (SchemaDiff::upgrade_sql, render).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "orm/database.hpp"
#include "orm/model.hpp"
#include "orm/schema.hpp"

namespace orm::migrate {

/// A column as the database has it. `info.autoincrement` is true for identity columns and for
/// `serial` ones (integer + `nextval` of a sequence the column owns): both are the same
/// autoincrement to the comparison.
struct ReflectedColumn {
  ColumnInfo info;                ///< name, type, NULL-ability, default, key, unique
  bool serial = false;            ///< autoincrement by an owned sequence, not identity
  std::string serial_default;     ///< the `nextval(...)` default of a serial column
  std::string unique_constraint;  ///< name of its single-column UNIQUE constraint, if any
};

/// A table as the database has it.
struct ReflectedTable {
  std::string name;                              ///< the table's name
  std::vector<ReflectedColumn> columns;          ///< in column order
  std::string primary_key_constraint;            ///< e.g. "books_pkey"; empty when none
  std::vector<std::string> primary_key_columns;  ///< the key's columns, in table order
  std::vector<ForeignKeyInfo> foreign_keys;      ///< single-column foreign keys
  std::vector<IndexInfo> indexes;                ///< plain column indexes that back no constraint
  std::vector<IndexInfo> unique_constraints;     ///< UNIQUE constraints of two or more columns
  std::vector<CheckInfo> checks;                 ///< CHECK constraints, conditions as stored

  /// The column called `column`, or nullptr.
  const ReflectedColumn* find(std::string_view column) const;
  /// The statements that recreate this table empty (for the downgrade of a dropped table):
  /// `CREATE TABLE ...` with its constraints, `ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY
  /// (a, b)` for a primary key of several columns, and `CREATE INDEX ...`.
  std::vector<std::string> create_statements() const;
};

/// Reads the tables of schema `public` (except the table named `skip`: the migration history
/// table when it is in `public`) in two queries over pg_catalog: column types as format_type()
/// prints them, NOT NULL, defaults (pg_get_expr), primary keys, UNIQUE constraints, identity
/// and serial columns; then single-column foreign keys, CHECK constraints and the indexes on
/// plain columns (expression and partial indexes are left out: models cannot declare them).
std::vector<ReflectedTable> reflect(Database& db, std::string_view skip = "migration_history");

/// A rename the comparison must apply instead of a drop plus an add: `books.descrption:description`
/// renames a column, `old_books:books` a table. See parse_rename().
struct Rename {
  std::string table;  ///< the table; for a table rename, its old name
  std::string from;   ///< old column name; empty for a table rename
  std::string to;     ///< new column or table name
};

/// Parses `table.old:new` (column) or `old:new` (table). Throws MigrationError when malformed.
Rename parse_rename(std::string_view text);

/// One detected difference and the SQL that applies and reverts it.
struct SchemaChange {
  std::string description;             ///< e.g. "added column 'books.author'"
  std::vector<std::string> comments;   ///< comment lines (without `-- `) above the upgrade SQL
  std::vector<std::string> upgrade;    ///< statements without `;`, in order
  std::vector<std::string> downgrade;  ///< statements that undo `upgrade`, in order
  std::vector<std::string> downgrade_comments;  ///< comment lines above the downgrade SQL
  std::string destructive;  ///< e.g. "drops column books.descrption"; empty if none
};

/// Everything autogenerate found, in the order the upgrade applies it.
struct SchemaDiff {
  std::vector<SchemaChange> changes;  ///< in upgrade order
  /// Suggested renames, e.g. "books.descrption:description" (a drop and an add of one type).
  std::vector<std::string> possible_renames;

  /// True when the models and the database match ("No changes in schema detected.").
  bool empty() const noexcept { return changes.empty(); }
  /// The upgrade section's SQL: each change's comments and statements, a blank line between.
  std::string upgrade_sql() const;
  /// The downgrade section's SQL: the changes undone newest first.
  std::string downgrade_sql() const;
  /// What the upgrade drops, joined with "; " (the `Destructive:` header), or empty.
  std::string destructive() const;
};

/// Decides whether a model's default expression and the database's one are the same value.
/// The default compares the texts after removing casts PostgreSQL adds (<code>'x'\::text</code>).
using SameDefault = std::function<bool(const ColumnInfo& model, const ColumnInfo& database)>;

/// Compares the models with the reflected schema. `renames` turn drop+add pairs into renames
/// (MigrationError when a rename matches nothing). `program` names the executable in the
/// commented hints the SQL carries.
///
/// @code
/// auto diff = orm::migrate::compare(app.metadata(), orm::migrate::reflect(app.db()));
/// if (diff.empty()) std::cout << "No changes in schema detected.\n";
/// @endcode
SchemaDiff compare(const Metadata& metadata, const std::vector<ReflectedTable>& database,
                   const std::vector<Rename>& renames = {}, const SameDefault& same_default = {},
                   const std::string& program = "hello_books");

/// A SameDefault that asks the server when the texts differ:
/// <code>SELECT (a)\::type IS NOT DISTINCT FROM (b)\::type</code>, so <code>'x'</code> and
/// <code>'x'\::character varying</code> or <code>0</code> and <code>'0'</code> compare equal.
SameDefault server_default_comparator(Database& db);

}  // namespace orm::migrate
