// Autogenerate: reflect the live schema and compare it with the models.
#include "orm/migrate/autogenerate.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <map>
#include <set>

#include "../translate.hpp"
#include "orm/migrate/scripts.hpp"

namespace orm::migrate {
namespace {

// One row per column of every table in schema public, with what the comparison needs.
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
   AND c.relname <> 'migration_history'
 ORDER BY c.relname, a.attnum
)sql";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Removes the casts PostgreSQL adds when it stores a default: 'x'::text -> 'x'.
std::string without_casts(std::string_view expression) {
  static const char* const kTypes[] = {"::text",
                                       "::character varying",
                                       "::bpchar",
                                       "::integer",
                                       "::bigint",
                                       "::smallint",
                                       "::numeric",
                                       "::boolean",
                                       "::real",
                                       "::double precision",
                                       "::timestamp with time zone",
                                       "::timestamp without time zone",
                                       "::date"};
  std::string text(trim(expression));
  bool changed = true;
  while (changed) {
    changed = false;
    for (const char* type : kTypes) {
      const std::string_view suffix(type);
      if (text.size() > suffix.size() &&
          text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
        text.resize(text.size() - suffix.size());
        changed = true;
      }
    }
    if (text.size() >= 2 && text.front() == '(' && text.back() == ')' &&
        text.find('(', 1) == std::string::npos) {
      text = text.substr(1, text.size() - 2);  // (0) -> 0
      changed = true;
    }
  }
  return text;
}

bool same_text_default(const ColumnInfo& model, const ColumnInfo& database) {
  return without_casts(*model.server_default) == without_casts(*database.server_default);
}

// Types whose values convert without a USING clause.
std::string type_family(const std::string& type) {
  if (type == "smallint" || type == "integer" || type == "bigint") return "integer";
  if (type == "real" || type == "double precision" || type.rfind("numeric", 0) == 0) {
    return "number";
  }
  if (type == "text" || type.rfind("character", 0) == 0) return "string";
  return type;
}

std::string q(std::string_view name) {
  return quote_identifier(name);
}

std::string alter_table(std::string_view table) {
  return "ALTER TABLE " + q(table) + " ";
}

std::string alter_column(std::string_view table, std::string_view column) {
  return alter_table(table) + "ALTER COLUMN " + q(column) + " ";
}

// PostgreSQL's default name for a table's constraint, cut to the 63-byte identifier limit.
std::string constraint_name(std::string_view table, std::string_view column,
                            std::string_view suffix) {
  std::string name = std::string(table) + (column.empty() ? "" : "_" + std::string(column)) + "_" +
                     std::string(suffix);
  if (name.size() > 63) name.resize(63);
  return name;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + q(name);
  return out;
}

std::string restart_identity_sql(std::string_view table, std::string_view column) {
  return "SELECT setval(pg_get_serial_sequence(" + sql_literal(q(table)) + ", " +
         sql_literal(column) + "), coalesce(max(" + q(column) + "), 0) + 1, false) FROM " +
         q(table);
}

class Comparison {
 public:
  Comparison(const Metadata& metadata, const std::vector<ReflectedTable>& database,
             const std::vector<Rename>& renames, const SameDefault& same_default,
             const std::string& program)
      : metadata_(metadata),
        database_(database),
        renames_(renames),
        same_default_(same_default ? same_default : SameDefault(same_text_default)),
        program_(program) {}

  SchemaDiff run() {
    check_renames();
    std::set<std::string> matched_database_tables;
    std::vector<const TableInfo*> added;
    std::vector<std::pair<const TableInfo*, const ReflectedTable*>> matched;
    for (const TableInfo* table : metadata_.tables()) {
      const ReflectedTable* existing = find_database_table(table->name);
      std::string old_name = table->name;
      if (const Rename* rename = table_rename_to(table->name)) {
        existing = find_database_table(rename->table);
        old_name = rename->table;
        SchemaChange change;
        change.description = "renamed table '" + rename->table + "' to '" + rename->to + "'";
        change.upgrade.push_back(alter_table(rename->table) + "RENAME TO " + q(rename->to));
        change.downgrade.push_back(alter_table(rename->to) + "RENAME TO " + q(rename->table));
        diff_.changes.push_back(std::move(change));
      }
      if (existing != nullptr) {
        matched_database_tables.insert(old_name);
        matched.emplace_back(table, existing);
      } else {
        added.push_back(table);
      }
    }
    std::vector<const ReflectedTable*> removed;
    for (const auto& table : database_) {
      if (matched_database_tables.count(table.name) == 0) removed.push_back(&table);
    }

    for (const TableInfo* table : added) {
      SchemaChange change;
      change.description = "added table '" + table->name + "'";
      change.upgrade.push_back(create_table_sql(*table));
      change.downgrade.push_back(drop_table_sql(table->name));
      diff_.changes.push_back(std::move(change));
    }
    for (const auto& [model, database] : matched) compare_columns(*model, *database);
    for (const ReflectedTable* table : removed) drop_table(*table, added);
    return std::move(diff_);
  }

 private:
  void check_renames() {
    for (const auto& rename : renames_) {
      const std::string option = "--rename " + rename.table + (rename.from.empty() ? "" : ".") +
                                 rename.from + ":" + rename.to;
      if (rename.from.empty()) {
        if (find_database_table(rename.table) == nullptr) {
          throw MigrationError(option + ": the database has no table " + rename.table +
                               ": name a table the database has (see psql \\dt)");
        }
        if (metadata_.find(rename.to) == nullptr) {
          throw MigrationError(option + ": no model has table " + rename.to +
                               ": name the model's table after the ':'");
        }
        if (find_database_table(rename.to) != nullptr) {
          throw MigrationError(option + ": the database already has a table " + rename.to +
                               ": nothing to rename");
        }
        continue;
      }
      const TableInfo* model = metadata_.find(rename.table);
      const ReflectedTable* database = find_database_table(rename.table);
      if (const Rename* table_rename = table_rename_to(rename.table)) {
        database = find_database_table(table_rename->table);
      }
      if (model == nullptr || database == nullptr) {
        throw MigrationError(option + ": table " + rename.table +
                             " must be both in the models and in the database");
      }
      if (database->find(rename.from) == nullptr || model->find(rename.from) != nullptr) {
        throw MigrationError(option + ": " + rename.table + "." + rename.from +
                             " must be a column the database has and the model no longer has");
      }
      if (model->find(rename.to) == nullptr || database->find(rename.to) != nullptr) {
        throw MigrationError(option + ": " + rename.table + "." + rename.to +
                             " must be a column the model has and the database does not have yet");
      }
    }
  }

  const ReflectedTable* find_database_table(std::string_view name) const {
    for (const auto& table : database_) {
      if (table.name == name) return &table;
    }
    return nullptr;
  }

  const Rename* table_rename_to(std::string_view new_name) const {
    for (const auto& rename : renames_) {
      if (rename.from.empty() && rename.to == new_name) return &rename;
    }
    return nullptr;
  }

  const Rename* column_rename(std::string_view table, std::string_view to) const {
    for (const auto& rename : renames_) {
      if (!rename.from.empty() && rename.table == table && rename.to == to) return &rename;
    }
    return nullptr;
  }

  void compare_columns(const TableInfo& model, const ReflectedTable& database) {
    const std::string& table = model.name;
    std::vector<SchemaChange> renames, adds, alters, key, drops;
    std::set<std::string> matched_database_columns;
    std::vector<const ColumnInfo*> added;

    for (const ColumnInfo& column : model.columns) {
      const ReflectedColumn* existing = database.find(column.name);
      if (const Rename* rename = column_rename(table, column.name)) {
        existing = database.find(rename->from);
        SchemaChange change;
        change.description = "renamed column '" + table + "." + rename->from + "' to '" + table +
                             "." + rename->to + "'";
        change.upgrade.push_back(alter_table(table) + "RENAME COLUMN " + q(rename->from) + " TO " +
                                 q(rename->to));
        change.downgrade.push_back(alter_table(table) + "RENAME COLUMN " + q(rename->to) + " TO " +
                                   q(rename->from));
        renames.push_back(std::move(change));
      }
      if (existing == nullptr) {
        added.push_back(&column);
        continue;
      }
      matched_database_columns.insert(existing->info.name);
      compare_column(table, column, *existing, alters);
    }

    for (const ColumnInfo* column : added) {
      ColumnInfo definition = *column;
      definition.primary_key = false;  // a new key column is keyed below, with the key change
      SchemaChange change;
      change.description = "added column '" + table + "." + column->name + "'";
      if (!column->nullable && !column->server_default && !column->autoincrement) {
        change.comments.push_back(table + "." + column->name +
                                  " is NOT NULL without a default: this fails if " + table +
                                  " has rows; give it orm::server_default(...) or make it "
                                  "std::optional");
      }
      change.upgrade.push_back(alter_table(table) + "ADD COLUMN " + column_definition(definition));
      change.downgrade.push_back(alter_table(table) + "DROP COLUMN " + q(column->name));
      adds.push_back(std::move(change));
    }

    compare_primary_key(model, database, key);

    for (const ReflectedColumn& column : database.columns) {
      if (matched_database_columns.count(column.info.name) != 0) continue;
      SchemaChange change;
      const std::string full = table + "." + column.info.name;
      change.description = "removed column '" + full + "'";
      change.destructive = "drops column " + full;
      change.comments.push_back("DESTRUCTIVE: drops column " + full + " and the data in it.");
      for (const ColumnInfo* candidate : added) {
        if (candidate->sql_type != column.info.sql_type) continue;
        const std::string rename = table + "." + column.info.name + ":" + candidate->name;
        diff_.possible_renames.push_back(rename);
        change.comments.push_back("Possible rename: if " + full + " was renamed to " +
                                  candidate->name + ", keep its data by replacing");
        change.comments.push_back("the ADD COLUMN " + candidate->name + " and DROP COLUMN " +
                                  column.info.name + " statements with");
        change.comments.push_back("  " + alter_table(table) + "RENAME COLUMN " +
                                  q(column.info.name) + " TO " + q(candidate->name) + ";");
        change.comments.push_back("(and the downgrade's two statements with");
        change.comments.push_back("  " + alter_table(table) + "RENAME COLUMN " +
                                  q(candidate->name) + " TO " + q(column.info.name) + ";)");
        change.comments.push_back("or delete this file and run");
        change.comments.push_back("  " + program_ + " db migrate -m \"...\" --rename " + rename);
        break;
      }
      ColumnInfo definition = column.info;
      definition.primary_key = false;  // the key comes back with the key change's downgrade
      change.upgrade.push_back(alter_table(table) + "DROP COLUMN " + q(column.info.name));
      change.downgrade_comments.push_back(
          "the column comes back empty: its old data is not "
          "restored");
      change.downgrade.push_back(alter_table(table) + "ADD COLUMN " +
                                 column_definition(definition));
      drops.push_back(std::move(change));
    }

    for (auto* group : {&renames, &adds, &alters, &key, &drops}) {
      for (auto& change : *group) diff_.changes.push_back(std::move(change));
    }
  }

  void compare_column(const std::string& table, const ColumnInfo& model,
                      const ReflectedColumn& reflected, std::vector<SchemaChange>& out) {
    const ColumnInfo& database = reflected.info;
    const std::string& name = model.name;
    const std::string full = "'" + table + "." + name + "'";
    const bool key = model.primary_key || database.primary_key;

    if (model.sql_type != database.sql_type) {
      const auto type_sql = [&](const std::string& to, const std::string& from) {
        std::string sql = alter_column(table, name) + "TYPE " + to;
        if (type_family(to) != type_family(from)) sql += " USING " + q(name) + "::" + to;
        return sql;
      };
      SchemaChange change;
      change.description =
          "type change from " + database.sql_type + " to " + model.sql_type + " on " + full;
      change.upgrade.push_back(type_sql(model.sql_type, database.sql_type));
      change.downgrade.push_back(type_sql(database.sql_type, model.sql_type));
      out.push_back(std::move(change));
    }

    if (!key && model.nullable != database.nullable) {
      SchemaChange change;
      const std::string set = alter_column(table, name) + "SET NOT NULL";
      const std::string drop = alter_column(table, name) + "DROP NOT NULL";
      if (model.nullable) {
        change.description = "NULL on column " + full;
        change.upgrade.push_back(drop);
        change.downgrade.push_back(set);
      } else {
        change.description = "NOT NULL on column " + full;
        change.comments.push_back("fails while " + table + "." + name +
                                  " holds NULLs: fill them first, e.g. UPDATE " + q(table) +
                                  " SET " + q(name) + " = ... WHERE " + q(name) + " IS NULL;");
        change.upgrade.push_back(set);
        change.downgrade.push_back(drop);
      }
      out.push_back(std::move(change));
    }

    if (!model.autoincrement && !database.autoincrement) {
      const bool differ = model.server_default.has_value() != database.server_default.has_value() ||
                          (model.server_default && !same_default_(model, database));
      if (differ) {
        const auto set_sql = [&](const std::optional<std::string>& value) {
          return value ? alter_column(table, name) + "SET DEFAULT " + *value
                       : alter_column(table, name) + "DROP DEFAULT";
        };
        SchemaChange change;
        change.description = "server default change on " + full + ": " +
                             database.server_default.value_or("none") + " -> " +
                             model.server_default.value_or("none");
        change.upgrade.push_back(set_sql(model.server_default));
        change.downgrade.push_back(set_sql(database.server_default));
        out.push_back(std::move(change));
      }
    }

    if (model.autoincrement != database.autoincrement) {
      const std::string add_identity =
          alter_column(table, name) + "ADD GENERATED BY DEFAULT AS IDENTITY";
      SchemaChange change;
      if (model.autoincrement) {
        change.description = "autoincrement added on " + full;
        if (database.server_default) {
          change.upgrade.push_back(alter_column(table, name) + "DROP DEFAULT");
        }
        change.upgrade.push_back(add_identity);
        change.comments.push_back("the counter starts after the largest existing " + name);
        change.upgrade.push_back(restart_identity_sql(table, name));
        change.downgrade.push_back(alter_column(table, name) + "DROP IDENTITY");
        if (database.server_default) {
          change.downgrade.push_back(alter_column(table, name) + "SET DEFAULT " +
                                     *database.server_default);
        }
      } else {
        change.description = "autoincrement removed from " + full;
        if (reflected.serial) {
          change.upgrade.push_back(alter_column(table, name) + "DROP DEFAULT");
          change.downgrade.push_back(alter_column(table, name) + "SET DEFAULT " +
                                     reflected.serial_default);
        } else {
          change.upgrade.push_back(alter_column(table, name) + "DROP IDENTITY");
          change.downgrade.push_back(add_identity);
          change.downgrade.push_back(restart_identity_sql(table, name));
        }
      }
      out.push_back(std::move(change));
    }

    if (!key && model.unique != database.unique) {
      SchemaChange change;
      const std::string added_name = constraint_name(table, name, "key");
      if (model.unique) {
        change.description = "added unique constraint on " + full;
        change.upgrade.push_back(alter_table(table) + "ADD CONSTRAINT " + q(added_name) +
                                 " UNIQUE (" + q(name) + ")");
        change.downgrade.push_back(alter_table(table) + "DROP CONSTRAINT " + q(added_name));
      } else {
        change.description = "removed unique constraint on " + full;
        change.upgrade.push_back(alter_table(table) + "DROP CONSTRAINT " +
                                 q(reflected.unique_constraint));
        change.downgrade.push_back(alter_table(table) + "ADD CONSTRAINT " +
                                   q(reflected.unique_constraint) + " UNIQUE (" + q(name) + ")");
      }
      out.push_back(std::move(change));
    }
  }

  void compare_primary_key(const TableInfo& model, const ReflectedTable& database,
                           std::vector<SchemaChange>& out) {
    const std::string& table = model.name;
    std::string wanted = model.primary_key().name;
    // Compare under the model's names: a renamed key column is still the same key.
    std::vector<std::string> current;
    for (const auto& column : database.primary_key_columns) {
      std::string name = column;
      for (const auto& rename : renames_) {
        if (!rename.from.empty() && rename.table == table && rename.from == column) {
          name = rename.to;
        }
      }
      current.push_back(name);
    }
    if (current == std::vector<std::string>{wanted}) return;

    const std::string new_name = constraint_name(table, "", "pkey");
    SchemaChange change;
    change.description = "primary key of '" + table + "' changed from (" + join(current) +
                         ") to (" + q(wanted) + ")";
    if (!database.primary_key_constraint.empty()) {
      change.upgrade.push_back(alter_table(table) + "DROP CONSTRAINT " +
                               q(database.primary_key_constraint));
    }
    change.upgrade.push_back(alter_table(table) + "ADD CONSTRAINT " + q(new_name) +
                             " PRIMARY KEY (" + q(wanted) + ")");
    change.downgrade.push_back(alter_table(table) + "DROP CONSTRAINT " + q(new_name));
    if (!database.primary_key_constraint.empty()) {
      change.downgrade.push_back(alter_table(table) + "ADD CONSTRAINT " +
                                 q(database.primary_key_constraint) + " PRIMARY KEY (" +
                                 join(current) + ")");
    }
    out.push_back(std::move(change));
  }

  void drop_table(const ReflectedTable& table, const std::vector<const TableInfo*>& added) {
    SchemaChange change;
    change.description = "removed table '" + table.name + "'";
    change.destructive = "drops table " + table.name;
    change.comments.push_back("DESTRUCTIVE: drops table " + table.name + " and every row in it.");
    for (const TableInfo* candidate : added) {
      bool same = candidate->columns.size() == table.columns.size();
      for (std::size_t i = 0; same && i < table.columns.size(); ++i) {
        const ColumnInfo* column = candidate->find(table.columns[i].info.name);
        same = column != nullptr && column->sql_type == table.columns[i].info.sql_type;
      }
      if (!same) continue;
      const std::string rename = table.name + ":" + candidate->name;
      diff_.possible_renames.push_back(rename);
      change.comments.push_back("Possible rename: if " + table.name + " was renamed to " +
                                candidate->name + ", keep its rows by replacing");
      change.comments.push_back("the CREATE TABLE " + candidate->name + " and DROP TABLE " +
                                table.name + " statements with");
      change.comments.push_back("  " + alter_table(table.name) + "RENAME TO " + q(candidate->name) +
                                ";");
      change.comments.push_back("(and the downgrade's two statements with");
      change.comments.push_back("  " + alter_table(candidate->name) + "RENAME TO " + q(table.name) +
                                ";)");
      change.comments.push_back("or delete this file and run");
      change.comments.push_back("  " + program_ + " db migrate -m \"...\" --rename " + rename);
      break;
    }
    change.upgrade.push_back(drop_table_sql(table.name));
    change.downgrade_comments.push_back(
        "the table comes back empty: its old rows are not "
        "restored");
    change.downgrade = table.create_statements();
    diff_.changes.push_back(std::move(change));
  }

  const Metadata& metadata_;
  const std::vector<ReflectedTable>& database_;
  const std::vector<Rename>& renames_;
  SameDefault same_default_;
  const std::string& program_;
  SchemaDiff diff_;
};

void render_change(std::string& out, const std::vector<std::string>& comments,
                   const std::vector<std::string>& statements) {
  if (statements.empty()) return;
  if (!out.empty()) out += "\n";
  for (const auto& comment : comments) out += "-- " + comment + "\n";
  for (const auto& statement : statements) out += statement + ";\n";
}

}  // namespace

const ReflectedColumn* ReflectedTable::find(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.info.name == column) return &c;
  }
  return nullptr;
}

std::vector<std::string> ReflectedTable::create_statements() const {
  TableInfo table;
  table.name = name;
  const bool single_key = primary_key_columns.size() == 1;
  for (const auto& column : columns) {
    table.columns.push_back(column.info);
    table.columns.back().primary_key = single_key && column.info.primary_key;
  }
  std::vector<std::string> statements{create_table_sql(table)};
  if (primary_key_columns.size() > 1) {
    statements.push_back(alter_table(name) + "ADD CONSTRAINT " + q(primary_key_constraint) +
                         " PRIMARY KEY (" + join(primary_key_columns) + ")");
  }
  return statements;
}

std::vector<ReflectedTable> reflect(Database& db) {
  try {
    pqxx::nontransaction tx(db.connection());
    const pqxx::result rows = tx.exec(kReflectSql);
    std::vector<ReflectedTable> tables;
    for (const auto& row : rows) {
      const std::string table = row[0].as<std::string>();
      if (tables.empty() || tables.back().name != table) {
        tables.emplace_back();
        tables.back().name = table;
        if (!row[7].is_null()) tables.back().primary_key_constraint = row[7].as<std::string>();
      }
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
      if (column.info.primary_key) tables.back().primary_key_columns.push_back(column.info.name);
      if (!row[9].is_null()) {
        column.unique_constraint = row[9].as<std::string>();
        column.info.unique = true;
      }
      tables.back().columns.push_back(std::move(column));
    }
    for (auto& table : tables) {
      if (table.primary_key_columns.size() > 1) {
        for (auto& column : table.columns) column.info.primary_key = false;
      }
    }
    return tables;
  } catch (...) {
    detail::rethrow_translated(db.url(), detail::Phase::running);
  }
}

Rename parse_rename(std::string_view text) {
  const auto colon = text.find(':');
  const std::string shape =
      "use TABLE.OLD_COLUMN:NEW_COLUMN (e.g. books.descrption:description) or OLD_TABLE:NEW_TABLE";
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    throw MigrationError("--rename '" + std::string(text) + "' is not understood: " + shape);
  }
  Rename rename;
  const std::string_view left = text.substr(0, colon);
  rename.to = std::string(text.substr(colon + 1));
  const auto dot = left.find('.');
  if (dot == std::string_view::npos) {
    rename.table = std::string(left);
  } else {
    rename.table = std::string(left.substr(0, dot));
    rename.from = std::string(left.substr(dot + 1));
    if (rename.table.empty() || rename.from.empty()) {
      throw MigrationError("--rename '" + std::string(text) + "' is not understood: " + shape);
    }
  }
  if (rename.to.find_first_of(".:") != std::string::npos) {
    throw MigrationError("--rename '" + std::string(text) + "' is not understood: " + shape);
  }
  return rename;
}

std::string SchemaDiff::upgrade_sql() const {
  std::string out;
  for (const auto& change : changes) render_change(out, change.comments, change.upgrade);
  return out;
}

std::string SchemaDiff::downgrade_sql() const {
  std::string out;
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    render_change(out, it->downgrade_comments, it->downgrade);
  }
  return out;
}

std::string SchemaDiff::destructive() const {
  std::string out;
  for (const auto& change : changes) {
    if (!change.destructive.empty()) out += (out.empty() ? "" : "; ") + change.destructive;
  }
  return out;
}

SchemaDiff compare(const Metadata& metadata, const std::vector<ReflectedTable>& database,
                   const std::vector<Rename>& renames, const SameDefault& same_default,
                   const std::string& program) {
  return Comparison(metadata, database, renames, same_default, program).run();
}

SameDefault server_default_comparator(Database& db) {
  return [&db](const ColumnInfo& model, const ColumnInfo& database) {
    if (same_text_default(model, database)) return true;
    if (model.server_default->find("nextval") != std::string::npos) return false;
    const std::string type = model.sql_type;
    try {
      pqxx::work tx(db.connection());  // never committed: only evaluates two expressions
      const auto row =
          tx.exec1("SELECT (" + *model.server_default + ")::" + type + " IS NOT DISTINCT FROM (" +
                   *database.server_default + ")::" + type);
      return row[0].as<bool>();
    } catch (const pqxx::sql_error&) {
      return false;  // an expression that does not evaluate: report the difference
    } catch (...) {
      detail::rethrow_translated(db.url(), detail::Phase::running);
    }
  };
}

}  // namespace orm::migrate
