/// @file
/// The app's models as a whole (Metadata), their SQL, and create_all / drop_all.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orm/database.hpp"
#include "orm/model.hpp"

namespace orm {

/// The registry of an app's models: what `create_all` creates and what `db migrate` compares
/// with the live database (Flask-SQLAlchemy's `db.metadata`).
///
/// @code
/// orm::Metadata metadata;
/// metadata.add<Book>();
/// orm::create_all(db, metadata);   // CREATE TABLE IF NOT EXISTS books (...)
/// @endcode
class Metadata {
 public:
  /// Registers `Model`; registering it again does nothing. Throws orm::ModelError when the model
  /// is invalid (see orm::table_info), another model already uses its table name, or one of its
  /// foreign keys refers to a table not registered yet (register referenced models first) or to
  /// a column that is not that table's primary key.
  template <class Model>
  Metadata& add() {
    return add_table(table_info<Model>(), nullptr);
  }
  /// Registers a copy of `table`; registering an equal table again does nothing. Throws
  /// orm::ModelError when the table is invalid (no primary key, a name longer than 63 bytes...)
  /// or another table already uses its name.
  Metadata& add(const TableInfo& table);

  /// The registered tables, in registration order. The pointers stay valid as long as this
  /// Metadata (or a copy of it) exists.
  const std::vector<const TableInfo*>& tables() const noexcept { return tables_; }
  /// The table called `name`, or nullptr.
  const TableInfo* find(std::string_view name) const;

 private:
  // `copy`: the Metadata's own copy of `table`, or nullptr for a model's TableInfo, which lives
  // as long as the program.
  Metadata& add_table(const TableInfo& table, std::shared_ptr<const TableInfo> copy);

  std::vector<const TableInfo*> tables_;
  std::vector<std::shared_ptr<const TableInfo>> copies_;  // what add(const TableInfo&) stored
};

/// `name`, double-quoted when PostgreSQL needs it (upper case, spaces, reserved words...).
std::string quote_identifier(std::string_view name);
/// A column's definition as in CREATE TABLE, e.g. `title character varying(200) NOT NULL`.
std::string column_definition(const ColumnInfo& column);
/// `CREATE TABLE books (...)`, one column per line, then the foreign keys, multi-column unique
/// constraints and checks (indexes are separate statements: create_index_sql).
std::string create_table_sql(const TableInfo& table, bool if_not_exists = false);
/// A table constraint clause: `CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id)
/// REFERENCES authors (id) ON DELETE CASCADE`.
std::string foreign_key_sql(const ForeignKeyInfo& key);
/// `CONSTRAINT name UNIQUE (a, b)`.
std::string unique_constraint_sql(const IndexInfo& unique);
/// `CONSTRAINT name CHECK (condition)`.
std::string check_constraint_sql(const CheckInfo& check);
/// `CREATE [UNIQUE] INDEX name ON table (a, b)`.
std::string create_index_sql(std::string_view table, const IndexInfo& index,
                             bool if_not_exists = false);
/// `ON DELETE CASCADE` and the like; empty for OnDelete::no_action.
std::string on_delete_sql(OnDelete on_delete);
/// `DROP TABLE books`.
std::string drop_table_sql(std::string_view table, bool if_exists = false);

/// Creates every table of `metadata` that does not exist yet, and its indexes (Flask-SQLAlchemy's
/// `db.create_all()`), in one transaction, referenced tables first.
void create_all(Database& db, const Metadata& metadata);
/// Drops every table of `metadata` that exists (Flask-SQLAlchemy's `db.drop_all()`), newest
/// first, in one transaction.
void drop_all(Database& db, const Metadata& metadata);

}  // namespace orm
