// Autogenerate, step 1: read the live schema from pg_catalog (Alembic's reflection through
// SQLAlchemy's Inspector).
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "../../translate.hpp"
#include "orm/migrate.hpp"
#include "orm/migrate/autogenerate.hpp"

namespace orm::migrate {
namespace {

// One row per column of every table in schema public, with what the comparison needs. $1 is
// the history table, left out.
constexpr const char* kReflectSql = R"sql(
SELECT c.relname,
       a.attname,
       format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid),
       a.attidentity <> '',
       EXISTS (SELECT 1
                 FROM pg_depend dep
                 JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
                WHERE dep.classid = 'pg_class'::regclass
                  AND dep.refclassid = 'pg_class'::regclass
                  AND dep.refobjid = c.oid
                  AND dep.refobjsubid = a.attnum
                  AND dep.deptype = 'a'),
       pk.conname,
       COALESCE(a.attnum = ANY (pk.conkey), false),
       (SELECT u.conname
          FROM pg_constraint u
         WHERE u.conrelid = c.oid AND u.contype = 'u' AND u.conkey = ARRAY[a.attnum]
         ORDER BY u.conname
         LIMIT 1)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
 WHERE n.nspname = 'public'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND c.relname <> $1
 ORDER BY c.relname, a.attnum
)sql";

ReflectedColumn column_of(const pqxx::row& row) {
  ReflectedColumn column;
  column.info.name = row[1].as<std::string>();
  column.info.sql_type = row[2].as<std::string>();
  column.info.nullable = !row[3].as<bool>();
  const bool identity = row[5].as<bool>();
  std::optional<std::string> default_sql;
  if (!row[4].is_null()) default_sql = row[4].as<std::string>();
  column.serial = !identity && row[6].as<bool>() && default_sql &&
                  default_sql->find("nextval(") != std::string::npos;
  if (column.serial) {
    column.serial_default = *default_sql;
    default_sql.reset();
  }
  column.info.server_default = default_sql;
  column.info.autoincrement = identity || column.serial;
  column.info.primary_key = row[8].as<bool>();
  if (!row[9].is_null()) {
    column.unique_constraint = row[9].as<std::string>();
    column.info.unique = true;
  }
  return column;
}

}  // namespace

const ReflectedColumn* ReflectedTable::find(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.info.name == column) return &c;
  }
  return nullptr;
}

std::vector<ReflectedTable> reflect(Database& db, std::string_view skip) {
  try {
    pqxx::nontransaction tx(db.connection());
    const pqxx::result rows = tx.exec_params(kReflectSql, std::string(skip));
    std::vector<ReflectedTable> tables;
    for (const auto& row : rows) {
      const std::string table = row[0].as<std::string>();
      if (tables.empty() || tables.back().name != table) {
        tables.emplace_back();
        tables.back().name = table;
        if (!row[7].is_null()) tables.back().primary_key_constraint = row[7].as<std::string>();
      }
      ReflectedColumn column = column_of(row);
      if (column.info.primary_key) tables.back().primary_key_columns.push_back(column.info.name);
      tables.back().columns.push_back(std::move(column));
    }
    for (auto& table : tables) {  // a key of several columns is no column's own key
      if (table.primary_key_columns.size() > 1) {
        for (auto& column : table.columns) column.info.primary_key = false;
      }
    }
    return tables;
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

}  // namespace orm::migrate
