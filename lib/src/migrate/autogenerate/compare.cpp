// Autogenerate, step 2: compare the models with the reflected schema (Alembic's
// autogenerate/compare.py). The SQL text comes from render.hpp.
#include <pqxx/transaction>

#include <algorithm>
#include <map>
#include <set>

#include "../../text.hpp"
#include "../../translate.hpp"
#include "orm/migrate/autogenerate.hpp"
#include "orm/migrate/errors.hpp"
#include "render.hpp"

namespace orm::migrate {
namespace {

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
  std::string text(orm::detail::trim(expression));
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
    std::vector<SchemaChange> table_renames;
    for (const TableInfo* table : metadata_.tables()) {
      const ReflectedTable* existing = find_database_table(table->name);
      std::string old_name = table->name;
      if (const Rename* rename = table_rename_to(table->name)) {
        existing = find_database_table(rename->table);
        old_name = rename->table;
        SchemaChange change;
        change.description = "renamed table '" + rename->table + "' to '" + rename->to + "'";
        change.upgrade.push_back(render::alter_table(rename->table) + "RENAME TO " +
                                 render::name(rename->to));
        change.downgrade.push_back(render::alter_table(rename->to) + "RENAME TO " +
                                   render::name(rename->table));
        table_renames.push_back(std::move(change));
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

    // Dependency order, so that every statement finds what it refers to (and the downgrade,
    // the changes undone in reverse, too): constraints that go away first; then tables renamed
    // and created (the models are registered referenced tables first); column changes; then
    // new constraints and indexes, when every table and column they name exists; tables that
    // go away last, those that refer to others first.
    std::vector<SchemaChange> constraint_drops, constraint_adds;
    for (const auto& [model, database] : matched) {
      compare_constraints(*model, *database, constraint_drops, constraint_adds);
    }
    append(constraint_drops);
    append(table_renames);
    for (const TableInfo* table : added) {
      SchemaChange change;
      change.description = "added table '" + table->name + "'";
      change.upgrade.push_back(create_table_sql(*table));
      for (const auto& index : table->indexes) {
        change.upgrade.push_back(create_index_sql(table->name, index));
      }
      change.downgrade.push_back(drop_table_sql(table->name));
      diff_.changes.push_back(std::move(change));
    }
    for (const auto& [model, database] : matched) compare_columns(*model, *database);
    append(constraint_adds);
    for (const ReflectedTable* table : referring_first(removed)) drop_table(*table, added);
    return std::move(diff_);
  }

 private:
  void append(std::vector<SchemaChange>& changes) {
    for (auto& change : changes) diff_.changes.push_back(std::move(change));
  }

  // `tables` ordered so that a table comes before the tables it refers to (a table that refers
  // to itself does not count).
  static std::vector<const ReflectedTable*> referring_first(
      std::vector<const ReflectedTable*> tables) {
    std::vector<const ReflectedTable*> ordered;
    while (!tables.empty()) {
      const auto referred_to = [&](const ReflectedTable* table) {
        for (const ReflectedTable* other : tables) {
          for (const auto& key : other->foreign_keys) {
            if (other != table && key.target_table == table->name) return true;
          }
        }
        return false;
      };
      auto next = std::find_if(tables.begin(), tables.end(),
                               [&](const ReflectedTable* t) { return !referred_to(t); });
      if (next == tables.end()) next = tables.begin();  // a cycle: any order drops them
      ordered.push_back(*next);
      tables.erase(next);
    }
    return ordered;
  }

  // The model's name for a database column of `table` (after a --rename).
  std::string model_column(const std::string& table, const std::string& column) const {
    for (const auto& rename : renames_) {
      if (!rename.from.empty() && rename.table == table && rename.from == column) return rename.to;
    }
    return column;
  }
  std::vector<std::string> model_columns(const std::string& table,
                                         const std::vector<std::string>& columns) const {
    std::vector<std::string> out;
    for (const auto& column : columns) out.push_back(model_column(table, column));
    return out;
  }
  std::string model_table(const std::string& table) const {
    for (const auto& rename : renames_) {
      if (rename.from.empty() && rename.table == table) return rename.to;
    }
    return table;
  }

  // Foreign keys, indexes, unique constraints of several columns and checks of one table that
  // both sides have. Those only the database has are dropped (into `drops`, run before any
  // other change), those only the model has are added (into `adds`, run after the tables and
  // columns they name exist). Foreign keys, indexes and unique constraints match by what they
  // do, whatever their names; checks match by name (PostgreSQL stores a condition rewritten).
  void compare_constraints(const TableInfo& model, const ReflectedTable& database,
                           std::vector<SchemaChange>& drops, std::vector<SchemaChange>& adds) {
    const std::string& table = model.name;
    const std::string& old_table = database.name;
    const std::string in_old = render::alter_table(old_table);
    const std::string in_new = render::alter_table(table);
    const auto drop = [&](std::string description, std::string upgrade, std::string downgrade) {
      SchemaChange change;
      change.description = std::move(description);
      change.upgrade.push_back(std::move(upgrade));
      change.downgrade.push_back(std::move(downgrade));
      drops.push_back(std::move(change));
    };
    const auto add = [&](std::string description, std::string upgrade, std::string downgrade,
                         std::string comment) {
      SchemaChange change;
      change.description = std::move(description);
      if (!comment.empty()) change.comments.push_back(std::move(comment));
      change.upgrade.push_back(std::move(upgrade));
      change.downgrade.push_back(std::move(downgrade));
      adds.push_back(std::move(change));
    };

    std::vector<bool> kept(model.foreign_keys.size());
    for (const auto& key : database.foreign_keys) {
      bool found = false;
      for (std::size_t i = 0; i < model.foreign_keys.size() && !found; ++i) {
        const ForeignKeyInfo& wanted = model.foreign_keys[i];
        found = !kept[i] && wanted.column == model_column(table, key.column) &&
                wanted.target_table == model_table(key.target_table) &&
                wanted.target_column == model_column(wanted.target_table, key.target_column) &&
                wanted.on_delete == key.on_delete;
        if (found) kept[i] = true;
      }
      if (found) continue;
      drop("removed foreign key '" + key.name + "' on " + full_name(old_table, key.column),
           in_old + "DROP CONSTRAINT " + render::name(key.name),
           in_old + "ADD " + foreign_key_sql(key));
    }
    for (std::size_t i = 0; i < model.foreign_keys.size(); ++i) {
      if (kept[i]) continue;
      const ForeignKeyInfo& key = model.foreign_keys[i];
      add("added foreign key " + full_name(table, key.column) + " -> " + key.target_table + "." +
              key.target_column,
          in_new + "ADD " + foreign_key_sql(key),
          in_new + "DROP CONSTRAINT " + render::name(key.name),
          "fails while " + full_name(table, key.column) + " holds a value that no row of " +
              key.target_table + " has");
    }

    kept.assign(model.indexes.size(), false);
    for (const auto& index : database.indexes) {
      bool found = false;
      for (std::size_t i = 0; i < model.indexes.size() && !found; ++i) {
        found = !kept[i] && model.indexes[i].unique == index.unique &&
                model.indexes[i].columns == model_columns(table, index.columns);
        if (found) kept[i] = true;
      }
      if (found) continue;
      drop("removed index '" + index.name + "' on '" + old_table + "'",
           "DROP INDEX " + render::name(index.name), create_index_sql(old_table, index));
    }
    for (std::size_t i = 0; i < model.indexes.size(); ++i) {
      if (kept[i]) continue;
      const IndexInfo& index = model.indexes[i];
      add("added " + std::string(index.unique ? "unique " : "") + "index '" + index.name +
              "' on '" + table + "' (" + render::name_list(index.columns) + ")",
          create_index_sql(table, index), "DROP INDEX " + render::name(index.name),
          index.unique ? "fails while two rows of " + table + " hold the same values" : "");
    }

    kept.assign(model.unique_constraints.size(), false);
    for (const auto& unique : database.unique_constraints) {
      bool found = false;
      for (std::size_t i = 0; i < model.unique_constraints.size() && !found; ++i) {
        found =
            !kept[i] && model.unique_constraints[i].columns == model_columns(table, unique.columns);
        if (found) kept[i] = true;
      }
      if (found) continue;
      drop("removed unique constraint '" + unique.name + "' on '" + old_table + "'",
           in_old + "DROP CONSTRAINT " + render::name(unique.name),
           in_old + "ADD " + unique_constraint_sql(unique));
    }
    for (std::size_t i = 0; i < model.unique_constraints.size(); ++i) {
      if (kept[i]) continue;
      const IndexInfo& unique = model.unique_constraints[i];
      add("added unique constraint '" + unique.name + "' on '" + table + "' (" +
              render::name_list(unique.columns) + ")",
          in_new + "ADD " + unique_constraint_sql(unique),
          in_new + "DROP CONSTRAINT " + render::name(unique.name),
          "fails while two rows of " + table + " hold the same (" +
              render::name_list(unique.columns) + ")");
    }

    kept.assign(model.checks.size(), false);
    for (const auto& check : database.checks) {
      bool found = false;
      for (std::size_t i = 0; i < model.checks.size() && !found; ++i) {
        found = !kept[i] && model.checks[i].name == check.name;
        if (found) kept[i] = true;
      }
      if (found) continue;
      drop("removed check constraint '" + check.name + "' on '" + old_table + "'",
           in_old + "DROP CONSTRAINT " + render::name(check.name),
           in_old + "ADD " + check_constraint_sql(check));
    }
    for (std::size_t i = 0; i < model.checks.size(); ++i) {
      if (kept[i]) continue;
      const CheckInfo& check = model.checks[i];
      add("added check constraint '" + check.name + "' on '" + table + "'",
          in_new + "ADD " + check_constraint_sql(check),
          in_new + "DROP CONSTRAINT " + render::name(check.name),
          "fails while rows of " + table + " break it: CHECK (" + check.sql + ")");
    }
  }

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
        change.upgrade.push_back(render::alter_table(table) + "RENAME COLUMN " +
                                 render::name(rename->from) + " TO " + render::name(rename->to));
        change.downgrade.push_back(render::alter_table(table) + "RENAME COLUMN " +
                                   render::name(rename->to) + " TO " + render::name(rename->from));
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
      change.upgrade.push_back(render::alter_table(table) + "ADD COLUMN " +
                               column_definition(definition));
      change.downgrade.push_back(render::alter_table(table) + "DROP COLUMN " +
                                 render::name(column->name));
      adds.push_back(std::move(change));
    }

    compare_primary_key(model, database, key);

    for (const ReflectedColumn& column : database.columns) {
      if (matched_database_columns.count(column.info.name) == 0) {
        drops.push_back(drop_column(table, column, added));
      }
    }

    for (auto* group : {&renames, &adds, &alters, &key, &drops}) {
      for (auto& change : *group) diff_.changes.push_back(std::move(change));
    }
  }

  // A column the database has and the model does not: dropped, with a rename suggested when a
  // new column of the same type is added.
  SchemaChange drop_column(const std::string& table, const ReflectedColumn& column,
                           const std::vector<const ColumnInfo*>& added) {
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
      change.comments.push_back("  " + render::alter_table(table) + "RENAME COLUMN " +
                                render::name(column.info.name) + " TO " +
                                render::name(candidate->name) + ";");
      change.comments.push_back("(and the downgrade's two statements with");
      change.comments.push_back("  " + render::alter_table(table) + "RENAME COLUMN " +
                                render::name(candidate->name) + " TO " +
                                render::name(column.info.name) + ";)");
      change.comments.push_back("or delete this file and run");
      change.comments.push_back("  " + program_ + " db migrate -m \"...\" --rename " + rename);
      break;
    }
    ColumnInfo definition = column.info;
    definition.primary_key = false;  // the key comes back with the key change's downgrade
    change.upgrade.push_back(render::alter_table(table) + "DROP COLUMN " +
                             render::name(column.info.name));
    change.downgrade_comments.push_back(
        "the column comes back empty: its old data is not "
        "restored");
    change.downgrade.push_back(render::alter_table(table) + "ADD COLUMN " +
                               column_definition(definition));
    return change;
  }

  // One column that both have: type, NULL-ability, default, autoincrement, uniqueness.
  void compare_column(const std::string& table, const ColumnInfo& model,
                      const ReflectedColumn& reflected, std::vector<SchemaChange>& out) {
    const ColumnInfo& database = reflected.info;
    const bool key = model.primary_key || database.primary_key;
    if (model.sql_type != database.sql_type) out.push_back(type_change(table, model, database));
    if (!key && model.nullable != database.nullable) {
      out.push_back(nullable_change(table, model));
    }
    if (!model.autoincrement && !database.autoincrement) {
      const bool differ = model.server_default.has_value() != database.server_default.has_value() ||
                          (model.server_default && !same_default_(model, database));
      if (differ) out.push_back(default_change(table, model, database));
    }
    if (model.autoincrement != database.autoincrement) {
      out.push_back(autoincrement_change(table, model, reflected));
    }
    if (!key && model.unique != database.unique) {
      out.push_back(unique_change(table, model, reflected));
    }
  }

  static std::string full_name(const std::string& table, const std::string& column) {
    return "'" + table + "." + column + "'";
  }

  SchemaChange type_change(const std::string& table, const ColumnInfo& model,
                           const ColumnInfo& database) const {
    const std::string& name = model.name;
    const auto type_sql = [&](const std::string& to, const std::string& from) {
      std::string sql = render::alter_column(table, name) + "TYPE " + to;
      if (type_family(to) != type_family(from)) sql += " USING " + render::name(name) + "::" + to;
      return sql;
    };
    SchemaChange change;
    change.description = "type change from " + database.sql_type + " to " + model.sql_type +
                         " on " + full_name(table, name);
    change.upgrade.push_back(type_sql(model.sql_type, database.sql_type));
    change.downgrade.push_back(type_sql(database.sql_type, model.sql_type));
    return change;
  }

  SchemaChange nullable_change(const std::string& table, const ColumnInfo& model) const {
    const std::string& name = model.name;
    SchemaChange change;
    const std::string set = render::alter_column(table, name) + "SET NOT NULL";
    const std::string drop = render::alter_column(table, name) + "DROP NOT NULL";
    if (model.nullable) {
      change.description = "NULL on column " + full_name(table, name);
      change.upgrade.push_back(drop);
      change.downgrade.push_back(set);
    } else {
      change.description = "NOT NULL on column " + full_name(table, name);
      change.comments.push_back("fails while " + table + "." + name +
                                " holds NULLs: fill them first, e.g. UPDATE " +
                                render::name(table) + " SET " + render::name(name) +
                                " = ... WHERE " + render::name(name) + " IS NULL;");
      change.upgrade.push_back(set);
      change.downgrade.push_back(drop);
    }
    return change;
  }

  SchemaChange default_change(const std::string& table, const ColumnInfo& model,
                              const ColumnInfo& database) const {
    const std::string& name = model.name;
    const auto set_sql = [&](const std::optional<std::string>& value) {
      return value ? render::alter_column(table, name) + "SET DEFAULT " + *value
                   : render::alter_column(table, name) + "DROP DEFAULT";
    };
    SchemaChange change;
    change.description = "server default change on " + full_name(table, name) + ": " +
                         database.server_default.value_or("none") + " -> " +
                         model.server_default.value_or("none");
    change.upgrade.push_back(set_sql(model.server_default));
    change.downgrade.push_back(set_sql(database.server_default));
    return change;
  }

  SchemaChange autoincrement_change(const std::string& table, const ColumnInfo& model,
                                    const ReflectedColumn& reflected) const {
    const ColumnInfo& database = reflected.info;
    const std::string& name = model.name;
    const std::string alter = render::alter_column(table, name);
    const std::string add_identity = alter + "ADD GENERATED BY DEFAULT AS IDENTITY";
    SchemaChange change;
    if (model.autoincrement) {
      change.description = "autoincrement added on " + full_name(table, name);
      if (database.server_default) change.upgrade.push_back(alter + "DROP DEFAULT");
      change.upgrade.push_back(add_identity);
      change.comments.push_back("the counter starts after the largest existing " + name);
      change.upgrade.push_back(render::restart_identity(table, name));
      change.downgrade.push_back(alter + "DROP IDENTITY");
      if (database.server_default) {
        change.downgrade.push_back(alter + "SET DEFAULT " + *database.server_default);
      }
    } else {
      change.description = "autoincrement removed from " + full_name(table, name);
      if (reflected.serial) {
        change.upgrade.push_back(alter + "DROP DEFAULT");
        change.downgrade.push_back(alter + "SET DEFAULT " + reflected.serial_default);
      } else {
        change.upgrade.push_back(alter + "DROP IDENTITY");
        change.downgrade.push_back(add_identity);
        change.downgrade.push_back(render::restart_identity(table, name));
      }
    }
    return change;
  }

  SchemaChange unique_change(const std::string& table, const ColumnInfo& model,
                             const ReflectedColumn& reflected) const {
    const std::string& name = model.name;
    const std::string alter = render::alter_table(table);
    const std::string unique = " UNIQUE (" + render::name(name) + ")";
    SchemaChange change;
    if (model.unique) {
      const std::string added = render::name(render::constraint_name(table, name, "key"));
      change.description = "added unique constraint on " + full_name(table, name);
      change.upgrade.push_back(alter + "ADD CONSTRAINT " + added + unique);
      change.downgrade.push_back(alter + "DROP CONSTRAINT " + added);
    } else {
      const std::string existing = render::name(reflected.unique_constraint);
      change.description = "removed unique constraint on " + full_name(table, name);
      change.upgrade.push_back(alter + "DROP CONSTRAINT " + existing);
      change.downgrade.push_back(alter + "ADD CONSTRAINT " + existing + unique);
    }
    return change;
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

    const std::string new_name = render::constraint_name(table, "", "pkey");
    SchemaChange change;
    change.description = "primary key of '" + table + "' changed from (" +
                         render::name_list(current) + ") to (" + render::name(wanted) + ")";
    if (!database.primary_key_constraint.empty()) {
      change.upgrade.push_back(render::alter_table(table) + "DROP CONSTRAINT " +
                               render::name(database.primary_key_constraint));
    }
    change.upgrade.push_back(render::alter_table(table) + "ADD CONSTRAINT " +
                             render::name(new_name) + " PRIMARY KEY (" + render::name(wanted) +
                             ")");
    change.downgrade.push_back(render::alter_table(table) + "DROP CONSTRAINT " +
                               render::name(new_name));
    if (!database.primary_key_constraint.empty()) {
      change.downgrade.push_back(render::alter_table(table) + "ADD CONSTRAINT " +
                                 render::name(database.primary_key_constraint) + " PRIMARY KEY (" +
                                 render::name_list(current) + ")");
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
      change.comments.push_back("  " + render::alter_table(table.name) + "RENAME TO " +
                                render::name(candidate->name) + ";");
      change.comments.push_back("(and the downgrade's two statements with");
      change.comments.push_back("  " + render::alter_table(candidate->name) + "RENAME TO " +
                                render::name(table.name) + ";)");
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

}  // namespace

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
      orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
    }
  };
}

}  // namespace orm::migrate
