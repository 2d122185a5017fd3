// A student's project for in-process migration tests: an app on a scratch database of its own
// and a migrations folder, with helpers to write revisions and look at the database.
#pragma once

#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

namespace migrate_testing {

namespace fs = std::filesystem;

inline fs::path fresh_directory() {
  static int counter = 0;
  return fs::path(testing_support::scratch_directory()) /
         ("migrations_" + std::to_string(++counter));
}

inline std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The error text of `f`, which must throw an orm::Error; checks it is one line.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const orm::Error& e) {
    const std::string what = e.what();
    CHECK(what.find('\n') == std::string::npos);
    return what;
  }
  FAIL("expected an orm::Error");
  return {};
}

// The revision id of a file written by `db migrate` / `db revision`.
inline std::string id_of(const fs::path& path) {
  return path.filename().string().substr(0, 12);
}

// One student's project: an app on this test's database and a migrations folder.
struct Project {
  explicit Project(bool init = true, orm::migrate::Settings settings = {})
      : directory(fresh_directory()), app(config()), db(app, out, with_directory(settings)) {
    if (init) db.init();
    take();
  }

  orm::migrate::Settings with_directory(orm::migrate::Settings settings) const {
    settings.directory = directory;
    return settings;
  }

  // A database of its own, so test cases also pass when run in one process.
  static orm::Config config() {
    static int counter = 0;
    orm::Config config;
    config.database_url =
        testing_support::scratch_database("p" + std::to_string(++counter)).uri_with_password();
    return config;
  }

  // Replaces the app's models.
  template <class... Models>
  void use() {
    app.metadata() = orm::Metadata();
    (app.metadata().add<Models>(), ...);
  }

  // What the commands printed since the last call.
  std::string take() {
    std::string text = out.str();
    out.str("");
    return text;
  }

  std::string scalar(const std::string& sql) {
    pqxx::nontransaction tx(app.db().connection());
    const pqxx::result result = tx.exec(sql);
    return result.empty() || result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
  }

  void exec(const std::string& sql) {
    pqxx::nontransaction tx(app.db().connection());
    tx.exec(sql);
  }

  bool table_exists(const std::string& name) {
    return scalar("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }

  // Writes a revision by hand (`db revision` + an editor) and returns its id.
  std::string hand_revision(const std::string& message, const std::string& upgrade,
                            const std::string& downgrade) {
    const fs::path path = db.revision(message);
    std::string text = read(path);
    const std::string up =
        "-- Write the SQL that makes the change here; end each statement with ;\n";
    const std::string down = "-- Write the SQL that undoes the upgrade here.\n";
    REQUIRE(text.find(up) != std::string::npos);
    REQUIRE(text.find(down) != std::string::npos);
    text.replace(text.find(up), up.size(), upgrade);
    text.replace(text.find(down), down.size(), downgrade);
    write(path, text);
    take();
    return id_of(path);
  }

  fs::path file_of(const std::string& id) {
    return orm::migrate::ScriptDirectory::load(directory).resolve(id).path;
  }

  std::size_t revision_files() {
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(directory / "versions")) {
      count += entry.path().extension() == ".sql";
    }
    return count;
  }

  fs::path directory;
  orm::App app;
  std::ostringstream out;
  orm::migrate::Migrations db;
};

inline orm::migrate::RevisionDraft draft(const std::string& id, const std::string& down,
                                         const std::string& message, const std::string& date,
                                         const std::string& upgrade, const std::string& downgrade) {
  orm::migrate::RevisionDraft d;
  d.id = id;
  d.down_revisions = orm::migrate::split_revisions(down);
  d.message = message;
  d.create_date = date;
  d.upgrade_body = upgrade;
  d.downgrade_body = downgrade;
  return d;
}

}  // namespace migrate_testing
