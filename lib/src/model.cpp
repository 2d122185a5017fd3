#include "orm/model.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <set>

namespace orm {

bool ColumnInfo::operator==(const ColumnInfo& other) const {
  return name == other.name && sql_type == other.sql_type && nullable == other.nullable &&
         primary_key == other.primary_key && autoincrement == other.autoincrement &&
         unique == other.unique && server_default == other.server_default;
}

bool ForeignKeyInfo::operator==(const ForeignKeyInfo& other) const {
  return name == other.name && column == other.column && target_table == other.target_table &&
         target_column == other.target_column && on_delete == other.on_delete;
}

bool IndexInfo::operator==(const IndexInfo& other) const {
  return name == other.name && columns == other.columns && unique == other.unique;
}

bool CheckInfo::operator==(const CheckInfo& other) const {
  return name == other.name && sql == other.sql;
}

bool TableInfo::same_schema(const TableInfo& other) const {
  return name == other.name && columns == other.columns &&
         primary_key_index == other.primary_key_index && foreign_keys == other.foreign_keys &&
         indexes == other.indexes && unique_constraints == other.unique_constraints &&
         checks == other.checks;
}

const ColumnInfo* TableInfo::find(std::string_view name) const {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

namespace detail {

std::string readable_type_name(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

const TableInfo& register_table(const char* table, const char* type_name,
                                void (*describe)(TableInfo&)) {
  TableInfo info;
  info.name = table;
  info.model = readable_type_name(type_name);
  describe(info);
  validate(info);
  // A deque keeps its elements in place as it grows: every reference handed out stays valid.
  static std::mutex mutex;
  static std::deque<TableInfo> tables;
  const std::lock_guard<std::mutex> lock(mutex);
  info.id = static_cast<int>(tables.size()) + 1;
  return tables.emplace_back(std::move(info));
}

namespace {

// PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and silently drops the rest, so
// a longer name would never match what the database reports.
constexpr std::size_t kMaxNameBytes = 63;

void check_name_length(const std::string& owner, const char* kind, const std::string& name) {
  if (name.size() <= kMaxNameBytes) return;
  throw ModelError(owner + ": the " + kind + " name '" + name + "' is " +
                   std::to_string(name.size()) +
                   " bytes long, but PostgreSQL keeps only the first 63 bytes of a name "
                   "(UTF-8 letters may take 2 to 4 bytes each): shorten it to 63 bytes or fewer");
}

}  // namespace

std::string default_name(std::string_view prefix, std::string_view table,
                         const std::vector<std::string>& columns, std::string_view suffix) {
  std::string name(prefix);
  name += table;
  for (const auto& column : columns) name += "_" + column;
  if (!suffix.empty()) name += "_" + std::string(suffix);
  if (name.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return name;
}

namespace {

void add_column_constraints(TableInfo& table, const ColumnInfo& column, ColumnOptions& options) {
  if (options.index) {
    table.indexes.push_back({default_name("ix_", table.name, {column.name}, ""), {column.name}});
  }
  if (options.check != nullptr) {
    table.checks.push_back({default_name("", table.name, {column.name}, "check"), options.check});
  }
  if (options.foreign_table != nullptr) {
    ForeignKeyInfo key;
    key.name = default_name("", table.name, {column.name}, "fkey");
    key.column = column.name;
    key.target_table = options.foreign_table;
    key.target_model = readable_type_name(options.foreign_type);
    key.target_column = std::move(options.foreign_column);
    key.on_delete = options.on_delete;
    table.foreign_keys.push_back(std::move(key));
  }
}

}  // namespace

void add_column(TableInfo& table, const char* name, bool nullable, const char* sql_type,
                bool integer, ColumnOptions& options, MemberAccess member) {
  ColumnInfo column;
  column.name = name;
  column.nullable = nullable;
  column.sql_type = options.varchar_length > 0
                        ? "character varying(" + std::to_string(options.varchar_length) + ")"
                        : std::string(sql_type);
  column.primary_key = options.primary_key;
  column.autoincrement = options.primary_key && integer;
  column.unique = options.unique;
  if (options.server_default != nullptr) column.server_default = options.server_default;
  if (options.primary_key) table.primary_key_index = table.columns.size();
  add_column_constraints(table, column, options);
  table.columns.push_back(std::move(column));
  table.members.push_back(member);
}

void add_table_args(TableInfo& table, const std::vector<TableArg>& args) {
  for (const TableArg& arg : args) {
    switch (arg.kind) {
      case TableArg::Kind::index:
      case TableArg::Kind::unique_index:
        table.indexes.push_back(
            {arg.name.empty() ? default_name("ix_", table.name, arg.columns, "") : arg.name,
             arg.columns, arg.kind == TableArg::Kind::unique_index});
        break;
      case TableArg::Kind::unique_constraint:
        if (arg.columns.size() == 1 && arg.name.empty()) {  // the same as orm::unique
          for (auto& column : table.columns) {
            if (column.name == arg.columns[0]) column.unique = true;
          }
          if (table.find(arg.columns[0]) != nullptr) break;
        }
        table.unique_constraints.push_back(
            {arg.name.empty() ? default_name("", table.name, arg.columns, "key") : arg.name,
             arg.columns});
        break;
      case TableArg::Kind::check:
        table.checks.push_back({arg.name, arg.sql});
        break;
    }
  }
}

namespace {

// The columns of an index or constraint: at least one, each a column of the table, none twice.
void check_columns(const std::string& owner, const TableInfo& table, const std::string& what,
                   const std::vector<std::string>& columns) {
  if (columns.empty())
    throw ModelError(owner + ": " + what + " lists no columns: name at least one");
  std::set<std::string> seen;
  for (const auto& column : columns) {
    if (column.empty()) {
      throw ModelError(owner + ": " + what +
                       " names a member that fields() does not list: list it in fields() first");
    }
    if (table.find(column) == nullptr) {
      throw ModelError(owner + ": " + what + " names column '" + column +
                       "', which the table does not have");
    }
    if (!seen.insert(column).second) {
      throw ModelError(owner + ": " + what + " names column '" + column + "' twice");
    }
  }
}

std::string joined(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& column : columns) out += (out.empty() ? "" : ", ") + column;
  return out;
}

void check_constraints(const std::string& owner, const TableInfo& table) {
  std::set<std::string> names;
  const auto check_name = [&](const std::string& name, const std::string& what) {
    if (name.empty()) throw ModelError(owner + ": " + what + " has no name: give it one");
    check_name_length(owner, "constraint", name);
    if (!names.insert(name).second) {
      throw ModelError(owner + ": two indexes or constraints are named '" + name +
                       "': give each its own name (TableArg::named)");
    }
  };
  for (const auto& index : table.indexes) {
    const std::string what = "the index on (" + joined(index.columns) + ")";
    check_columns(owner, table, what, index.columns);
    check_name(index.name, what);
  }
  for (const auto& unique : table.unique_constraints) {
    const std::string what = "the unique constraint on (" + joined(unique.columns) + ")";
    check_columns(owner, table, what, unique.columns);
    check_name(unique.name, what);
  }
  for (const auto& check : table.checks) {
    check_name(check.name, "a check constraint");
    if (check.sql.empty()) {
      throw ModelError(owner + ": check constraint '" + check.name +
                       "' has no condition: write one in SQL, e.g. \"year >= 1888\"");
    }
  }
  for (const auto& key : table.foreign_keys) {
    const std::string what = "column " + key.column + " (orm::foreign_key)";
    if (key.target_column.empty()) {
      throw ModelError(owner + ": " + what + " refers to a member of " +
                       (key.target_model.empty() ? key.target_table : key.target_model) +
                       " that its fields() does not list: refer to its primary key, e.g. "
                       "orm::foreign_key(&" +
                       (key.target_model.empty() ? std::string("Model") : key.target_model) +
                       "::id)");
    }
    const ColumnInfo* column = table.find(key.column);
    if (key.on_delete == OnDelete::set_null && column != nullptr && !column->nullable) {
      throw ModelError(owner + ": " + what +
                       " has OnDelete::set_null but cannot hold NULL: make the member "
                       "std::optional, or choose another OnDelete");
    }
    check_name(key.name, what);
  }
}

}  // namespace

void validate(const TableInfo& table) {
  const std::string model = !table.model.empty() ? "model " + table.model : "table " + table.name;
  if (table.name.empty()) {
    throw ModelError(model +
                     " has an empty table name: set it, e.g. "
                     "static constexpr const char* table = \"books\";");
  }
  if (table.columns.empty()) {
    throw ModelError(model + " (table " + table.name +
                     ") lists no columns: visit each member in fields(), e.g. "
                     "v(id, \"id\", orm::primary_key);");
  }
  check_name_length(model, "table", table.name);
  std::set<std::string> names;
  int primary_keys = 0;
  for (const auto& column : table.columns) {
    if (column.name.empty()) {
      throw ModelError(model + " (table " + table.name + ") has a column without a name");
    }
    check_name_length(model + " (table " + table.name.substr(0, kMaxNameBytes) + ")", "column",
                      column.name);
    if (!names.insert(column.name).second) {
      throw ModelError(model + " (table " + table.name + ") lists column '" + column.name +
                       "' twice in fields(): give each member its own column name");
    }
    if (column.primary_key) ++primary_keys;
  }
  if (primary_keys == 0) {
    throw ModelError(model + " (table " + table.name +
                     ") has no primary key: mark one column, e.g. v(id, \"id\", "
                     "orm::primary_key);");
  }
  if (primary_keys > 1) {
    throw ModelError(model + " (table " + table.name +
                     ") marks several primary keys: mark exactly one column orm::primary_key");
  }
  check_constraints(model + " (table " + table.name + ")", table);
}

void throw_not_a_column(const TableInfo& table) {
  throw ModelError("member is not a column of table '" + table.name +
                   "': list it in the model's fields()");
}

void throw_not_a_member(const TableInfo& table, const char* name) {
  throw ModelError(table.model + " (table " + table.name + "): fields() lists column '" + name +
                   "' with something that is not a data member of the model (a static or "
                   "global variable, or another object's member); list the model's own "
                   "members, e.g. v(title, \"title\")");
}

void throw_value_error(const TableInfo& table, std::size_t column, const char* what) {
  const std::string name =
      column < table.columns.size() ? table.columns[column].name : std::to_string(column);
  throw ValueError(table.name + "." + name + ": " + what);
}

std::vector<Param> object_params(const TableInfo& table, const void* object, long skip) {
  std::vector<Param> params;
  params.reserve(table.members.size());
  for (std::size_t column = 0; column < table.members.size(); ++column) {
    if (static_cast<long>(column) == skip) continue;
    try {
      const MemberAccess& member = table.members[column];
      params.push_back(member.ops->to_param(member.in(object)));
    } catch (const std::exception& e) {
      throw_value_error(table, column, e.what());
    }
  }
  return params;
}

bool key_unassigned(const TableInfo& table, const void* object) {
  const MemberAccess& key = table.members[table.primary_key_index];
  return table.primary_key().autoincrement && key.ops->is_zero(key.in(object));
}

std::vector<Param> insert_params(const TableInfo& table, const void* object, bool& with_key) {
  with_key = !key_unassigned(table, object);
  return object_params(table, object, with_key ? -1 : static_cast<long>(table.primary_key_index));
}

void set_key(const TableInfo& table, void* object, std::string_view text) {
  const MemberAccess& key = table.members[table.primary_key_index];
  key.ops->from_text(key.in(object), text);
}

std::string key_text(const TableInfo& table, const void* object) {
  const MemberAccess& key = table.members[table.primary_key_index];
  // A primary key is never std::optional (check_column), so its parameter is never NULL.
  return *key.ops->to_param(key.in(object));
}

std::size_t column_at(const TableInfo& table, std::ptrdiff_t offset) {
  for (std::size_t column = 0; column < table.members.size(); ++column) {
    if (table.members[column].offset == offset) return column;
  }
  throw_not_a_column(table);
}

}  // namespace detail
}  // namespace orm
