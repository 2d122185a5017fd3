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
  detail::validate(table, nullptr);
  return add_table(table, std::make_shared<const TableInfo>(table));
}

Metadata& Metadata::add_table(const TableInfo& table, std::shared_ptr<const TableInfo> copy) {
  if (const TableInfo* existing = find(table.name)) {
    if (existing == &table || (copy && existing->columns == table.columns &&
                               existing->primary_key_index == table.primary_key_index)) {
      return *this;
    }
    throw ModelError("two models use table name '" + table.name +
                     "': give each model its own table");
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

std::string create_table_sql(const TableInfo& table, bool if_not_exists) {
  std::string sql = "CREATE TABLE ";
  if (if_not_exists) sql += "IF NOT EXISTS ";
  sql += quote_identifier(table.name) + " (\n";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    sql += "    " + column_definition(table.columns[i]);
    sql += i + 1 < table.columns.size() ? ",\n" : "\n";
  }
  return sql + ")";
}

std::string drop_table_sql(std::string_view table, bool if_exists) {
  return std::string("DROP TABLE ") + (if_exists ? "IF EXISTS " : "") + quote_identifier(table);
}

void create_all(Database& db, const Metadata& metadata) {
  try {
    pqxx::work tx(db.connection());
    for (const TableInfo* table : metadata.tables()) tx.exec0(create_table_sql(*table, true));
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
