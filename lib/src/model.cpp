#include "orm/model.hpp"

#include <cxxabi.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>

namespace orm {

bool ColumnInfo::operator==(const ColumnInfo& other) const {
  return name == other.name && sql_type == other.sql_type && nullable == other.nullable &&
         primary_key == other.primary_key && autoincrement == other.autoincrement &&
         unique == other.unique && server_default == other.server_default;
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

int next_table_id() {
  static std::atomic<int> counter{0};
  return ++counter;
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

void validate(const TableInfo& table, const char* model_name) {
  const std::string model =
      model_name != nullptr ? "model " + readable_type_name(model_name) : "table " + table.name;
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
}

void throw_value_error(const TableInfo& table, std::size_t column, const char* what) {
  const std::string name =
      column < table.columns.size() ? table.columns[column].name : std::to_string(column);
  throw ValueError(table.name + "." + name + ": " + what);
}

}  // namespace detail
}  // namespace orm
