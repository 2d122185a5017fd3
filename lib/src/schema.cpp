#include "orm/schema.hpp"

#include <pqxx/transaction>

#include <algorithm>
#include <iterator>

#include "translate.hpp"

namespace orm {
namespace {

// PostgreSQL's reserved key words (those that cannot be column names without quotes).
constexpr std::string_view kReserved[] = {"all",
                                          "analyse",
                                          "analyze",
                                          "and",
                                          "any",
                                          "array",
                                          "as",
                                          "asc",
                                          "asymmetric",
                                          "authorization",
                                          "binary",
                                          "both",
                                          "case",
                                          "cast",
                                          "check",
                                          "collate",
                                          "collation",
                                          "column",
                                          "concurrently",
                                          "constraint",
                                          "create",
                                          "cross",
                                          "current_catalog",
                                          "current_date",
                                          "current_role",
                                          "current_schema",
                                          "current_time",
                                          "current_timestamp",
                                          "current_user",
                                          "default",
                                          "deferrable",
                                          "desc",
                                          "distinct",
                                          "do",
                                          "else",
                                          "end",
                                          "except",
                                          "false",
                                          "fetch",
                                          "for",
                                          "foreign",
                                          "freeze",
                                          "from",
                                          "full",
                                          "grant",
                                          "group",
                                          "having",
                                          "ilike",
                                          "in",
                                          "initially",
                                          "inner",
                                          "intersect",
                                          "into",
                                          "is",
                                          "isnull",
                                          "join",
                                          "lateral",
                                          "leading",
                                          "left",
                                          "like",
                                          "limit",
                                          "localtime",
                                          "localtimestamp",
                                          "natural",
                                          "not",
                                          "notnull",
                                          "null",
                                          "offset",
                                          "on",
                                          "only",
                                          "or",
                                          "order",
                                          "outer",
                                          "overlaps",
                                          "placing",
                                          "primary",
                                          "references",
                                          "returning",
                                          "right",
                                          "select",
                                          "session_user",
                                          "similar",
                                          "some",
                                          "symmetric",
                                          "system_user",
                                          "table",
                                          "tablesample",
                                          "then",
                                          "to",
                                          "trailing",
                                          "true",
                                          "union",
                                          "unique",
                                          "user",
                                          "using",
                                          "variadic",
                                          "verbose",
                                          "when",
                                          "where",
                                          "window",
                                          "with"};

bool needs_quotes(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return true;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!plain) return true;
  }
  return std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved);
}

}  // namespace

Metadata& Metadata::add(const TableInfo& table) {
  detail::validate(table);
  return add_table(table, std::make_shared<const TableInfo>(table));
}

Metadata& Metadata::add_table(const TableInfo& table, std::shared_ptr<const TableInfo> copy) {
  if (const TableInfo* existing = find(table.name)) {
    if (existing == &table || (copy && existing->same_schema(table))) return *this;
    throw ModelError("two models use table name '" + table.name +
                     "': give each model its own table");
  }
  const std::string owner =
      (table.model.empty() ? "table " + table.name
                           : "model " + table.model + " (table " + table.name + ")");
  for (const ForeignKeyInfo& key : table.foreign_keys) {
    const TableInfo* target = key.target_table == table.name ? &table : find(key.target_table);
    const std::string target_model =
        key.target_model.empty() ? "the model of table " + key.target_table : key.target_model;
    if (target == nullptr) {
      throw ModelError(owner + ": column " + key.column + " refers to " + key.target_table + "." +
                       key.target_column + ", but no registered model has table " +
                       key.target_table + ": register " + target_model + " before " +
                       (table.model.empty() ? table.name : table.model) + " (metadata.add<...>())");
    }
    if (target->primary_key().name != key.target_column) {
      throw ModelError(owner + ": column " + key.column + " refers to " + key.target_table + "." +
                       key.target_column + ", which is not the primary key of " + key.target_table +
                       " (" + target->primary_key().name +
                       "): a foreign key refers to the primary key");
    }
    if (target->primary_key().sql_type != table.find(key.column)->sql_type) {
      throw ModelError(owner + ": column " + key.column + " (" + table.find(key.column)->sql_type +
                       ") refers to " + key.target_table + "." + key.target_column + " (" +
                       target->primary_key().sql_type + "): give both the same type");
    }
  }
  tables_.push_back(copy ? copy.get() : &table);
  if (copy) copies_.push_back(std::move(copy));
  return *this;
}

const TableInfo* Metadata::find(std::string_view name) const {
  for (const TableInfo* table : tables_) {
    if (table->name == name) return table;
  }
  return nullptr;
}

std::string quote_identifier(std::string_view name) {
  if (!needs_quotes(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string column_definition(const ColumnInfo& column) {
  std::string sql = quote_identifier(column.name) + " " + column.sql_type;
  if (column.autoincrement) sql += " GENERATED BY DEFAULT AS IDENTITY";
  if (column.server_default) sql += " DEFAULT " + *column.server_default;
  if (column.primary_key) {
    sql += " PRIMARY KEY";
  } else {
    if (!column.nullable) sql += " NOT NULL";
    if (column.unique) sql += " UNIQUE";
  }
  return sql;
}

namespace {

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + quote_identifier(name);
  return out;
}

}  // namespace

std::string on_delete_sql(OnDelete on_delete) {
  switch (on_delete) {
    case OnDelete::restrict:
      return "ON DELETE RESTRICT";
    case OnDelete::cascade:
      return "ON DELETE CASCADE";
    case OnDelete::set_null:
      return "ON DELETE SET NULL";
    case OnDelete::no_action:
      break;
  }
  return "";
}

std::string foreign_key_sql(const ForeignKeyInfo& key) {
  std::string sql = "CONSTRAINT " + quote_identifier(key.name) + " FOREIGN KEY (" +
                    quote_identifier(key.column) + ") REFERENCES " +
                    quote_identifier(key.target_table) + " (" +
                    quote_identifier(key.target_column) + ")";
  const std::string on_delete = on_delete_sql(key.on_delete);
  return on_delete.empty() ? sql : sql + " " + on_delete;
}

std::string unique_constraint_sql(const IndexInfo& unique) {
  return "CONSTRAINT " + quote_identifier(unique.name) + " UNIQUE (" + name_list(unique.columns) +
         ")";
}

std::string check_constraint_sql(const CheckInfo& check) {
  return "CONSTRAINT " + quote_identifier(check.name) + " CHECK (" + check.sql + ")";
}

std::string create_index_sql(std::string_view table, const IndexInfo& index, bool if_not_exists) {
  return std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
         (if_not_exists ? "IF NOT EXISTS " : "") + quote_identifier(index.name) + " ON " +
         quote_identifier(table) + " (" + name_list(index.columns) + ")";
}

std::string create_table_sql(const TableInfo& table, bool if_not_exists) {
  std::vector<std::string> lines;
  for (const auto& column : table.columns) lines.push_back(column_definition(column));
  for (const auto& key : table.foreign_keys) lines.push_back(foreign_key_sql(key));
  for (const auto& unique : table.unique_constraints)
    lines.push_back(unique_constraint_sql(unique));
  for (const auto& check : table.checks) lines.push_back(check_constraint_sql(check));
  std::string sql = "CREATE TABLE ";
  if (if_not_exists) sql += "IF NOT EXISTS ";
  sql += quote_identifier(table.name) + " (\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    sql += "    " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  }
  return sql + ")";
}

std::string drop_table_sql(std::string_view table, bool if_exists) {
  return std::string("DROP TABLE ") + (if_exists ? "IF EXISTS " : "") + quote_identifier(table);
}

void create_all(Database& db, const Metadata& metadata) {
  try {
    pqxx::work tx(db.connection());
    // Registration order puts referenced tables first (Metadata::add checks it).
    for (const TableInfo* table : metadata.tables()) {
      tx.exec0(create_table_sql(*table, true));
      for (const auto& index : table->indexes) {
        tx.exec0(create_index_sql(table->name, index, true));
      }
    }
    tx.commit();
  } catch (...) {
    detail::rethrow_translated(db.url(), detail::Phase::running);
  }
  db.forget_prepared_statements();  // a table made again may differ from the one they knew
}

void drop_all(Database& db, const Metadata& metadata) {
  try {
    pqxx::work tx(db.connection());
    const auto& tables = metadata.tables();
    for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
      tx.exec0(drop_table_sql((*it)->name, true));
    }
    tx.commit();
  } catch (...) {
    detail::rethrow_translated(db.url(), detail::Phase::running);
  }
  db.forget_prepared_statements();
}

}  // namespace orm
