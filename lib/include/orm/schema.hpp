/// @file
/// The app's models as a whole (Metadata), their SQL, and create_all / drop_all.
#pragma once

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
  /// Registers `Model`; registering it again does nothing.
  template <class Model>
  Metadata& add() {
    add(table_info<Model>());
    return *this;
  }
  /// Registers a table. Throws orm::ModelError when another model already uses its name.
  Metadata& add(const TableInfo& table);

  /// The registered tables, in registration order.
  const std::vector<const TableInfo*>& tables() const noexcept { return tables_; }
  /// The table called `name`, or nullptr.
  const TableInfo* find(std::string_view name) const;

 private:
  std::vector<const TableInfo*> tables_;
};

/// `name`, double-quoted when PostgreSQL needs it (upper case, spaces, reserved words...).
std::string quote_identifier(std::string_view name);
/// A column's definition as in CREATE TABLE, e.g. `title character varying(200) NOT NULL`.
std::string column_definition(const ColumnInfo& column);
/// `CREATE TABLE books (...)`, one column per line.
std::string create_table_sql(const TableInfo& table, bool if_not_exists = false);
/// `DROP TABLE books`.
std::string drop_table_sql(std::string_view table, bool if_exists = false);

/// Creates every table of `metadata` that does not exist yet (Flask-SQLAlchemy's
/// `db.create_all()`), in one transaction.
void create_all(Database& db, const Metadata& metadata);
/// Drops every table of `metadata` that exists (Flask-SQLAlchemy's `db.drop_all()`), newest
/// first, in one transaction.
void drop_all(Database& db, const Metadata& metadata);

}  // namespace orm
