// Autogenerate, step 1: read the live schema from pg_catalog (Alembic's reflection through
// SQLAlchemy's Inspector).
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <tuple>

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

// Foreign keys of one column, UNIQUE constraints of several, CHECK constraints and plain
// indexes that back no constraint: one row each. $1 is the history table, left out.
constexpr const char* kConstraintsSql = R"sql(
SELECT c.relname,
       con.contype::text,
       con.conname,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.position),
       f.relname,
       (SELECT a.attname
          FROM pg_attribute a
         WHERE a.attrelid = con.confrelid AND a.attnum = con.confkey[1]),
       con.confdeltype::text,
       pg_get_expr(con.conbin, con.conrelid)
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class f ON f.oid = con.confrelid
 WHERE n.nspname = 'public'
   AND c.relname <> $1
   AND ((con.contype = 'f' AND cardinality(con.conkey) = 1)
        OR (con.contype = 'u' AND cardinality(con.conkey) > 1)
        OR con.contype = 'c')
UNION ALL
SELECT c.relname,
       CASE WHEN i.indisunique THEN 'I' ELSE 'i' END,
       ic.relname,
       ARRAY(SELECT a.attname::text
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              ORDER BY k.position),
       NULL, NULL, NULL, NULL
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public'
   AND c.relname <> $1
   AND c.relkind IN ('r', 'p')
   AND NOT i.indisprimary
   AND i.indexprs IS NULL
   AND i.indpred IS NULL
   AND NOT (0 = ANY (i.indkey::int2[]))
   AND NOT EXISTS (SELECT 1
                     FROM pg_constraint x
                    WHERE x.conindid = i.indexrelid AND x.conrelid = i.indrelid
                      AND x.contype IN ('p', 'u', 'x'))
 ORDER BY 1, 3
)sql";

std::vector<std::string> names_of(const pqxx::field& field) {
  std::vector<std::string> names;
  pqxx::array_parser parser = field.as_array();
  for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::juncture::done;
       std::tie(juncture, value) = parser.get_next()) {
    if (juncture == pqxx::array_parser::juncture::string_value) names.push_back(value);
  }
  return names;
}

OnDelete on_delete_of(const std::string& code) {
  if (code == "r") return OnDelete::restrict;
  if (code == "c") return OnDelete::cascade;
  if (code == "n") return OnDelete::set_null;
  return OnDelete::no_action;  // 'a'; SET DEFAULT ('d') is not a model option
}

void add_constraint(ReflectedTable& table, const pqxx::row& row) {
  const std::string kind = row[1].as<std::string>();
  const std::string name = row[2].as<std::string>();
  std::vector<std::string> columns = names_of(row[3]);
  if (kind == "f") {
    ForeignKeyInfo key;
    key.name = name;
    key.column = columns.at(0);
    key.target_table = row[4].as<std::string>();
    key.target_column = row[5].as<std::string>();
    key.on_delete = on_delete_of(row[6].as<std::string>());
    table.foreign_keys.push_back(std::move(key));
  } else if (kind == "u") {
    table.unique_constraints.push_back({name, std::move(columns), false});
  } else if (kind == "c") {
    table.checks.push_back({name, row[7].as<std::string>()});
  } else {
    table.indexes.push_back({name, std::move(columns), kind == "I"});
  }
}

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
    const pqxx::result constraints = tx.exec_params(kConstraintsSql, std::string(skip));
    std::size_t at = 0;  // both results are ordered by table name
    for (const auto& row : constraints) {
      const std::string table = row[0].as<std::string>();
      while (at < tables.size() && tables[at].name < table) ++at;
      if (at < tables.size() && tables[at].name == table) add_constraint(tables[at], row);
    }
    return tables;
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

}  // namespace orm::migrate
