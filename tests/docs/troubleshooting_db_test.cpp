// Do not change this file: it checks the troubleshooting page's db command messages (ctest label
// docs).
//
// Like troubleshooting_test.cpp, for lesson 04's `hello_books db ...` (the solution's program):
// each test makes a migrations folder in a scratch directory, brings it and this process's own
// database into the state the page describes, runs the failing command and requires the page to
// quote its message, with this run's revision ids and folders replaced by the page's.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lesson_check.hpp"
#include "quoted_messages.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;

namespace {

using lesson_check::ProgramRun;
using quoted_messages::replace_all;
using quoted_messages::require_quoted;

// A scratch project folder for `hello_books db ... -d migrations`, on this process's own database.
class Project {
 public:
  explicit Project(const std::string& name)
      : directory_(testing_support::scratch_directory() + "/" + name) {
    // Creates this process's database and points DATABASE_URL at it: the programs run here
    // must never touch hello_books_development.
    testing_support::test_database();
    fs::create_directories(directory_);
  }

  const std::string& directory() const { return directory_; }
  fs::path versions() const { return fs::path(directory_) / "migrations" / "versions"; }

  // hello_books <arguments...> in the project folder.
  ProgramRun run(std::vector<std::string> arguments) const {
    return lesson_check::run_program(HELLO_BOOKS_DB_PROGRAM, arguments, {}, directory_);
  }
  // hello_books db <arguments...> -d migrations, which must succeed.
  ProgramRun db(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), "db");
    arguments.insert(arguments.end(), {"-d", "migrations"});
    return run(arguments);
  }
  void db_ok(const std::vector<std::string>& arguments) const {
    const ProgramRun result = db(arguments);
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
  }

  // db init, then db migrate -m "adds Book model"; returns the new revision's id.
  std::string first_revision() const {
    db_ok({"init"});
    db_ok({"migrate", "-m", "adds Book model"});
    return only_revision();
  }
  // The id of the one revision file in versions/.
  std::string only_revision() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(versions())) {
      names.push_back(entry.path().filename().string());
    }
    REQUIRE(names.size() == 1);
    return names.front().substr(0, names.front().find('_'));
  }
  fs::path file_of(const std::string& id) const {
    for (const auto& entry : fs::directory_iterator(versions())) {
      if (entry.path().filename().string().rfind(id + "_", 0) == 0) return entry.path();
    }
    FAIL("no revision file for " << id);
    return {};
  }

 private:
  std::string directory_;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// `text` with every `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return replace_all(std::move(text), {{from, to}});
}

}  // namespace

TEST_CASE("db: no migrations folder") {
  const Project project("no_folder");
  require_quoted(project.db({"upgrade"}),
                 {{project.directory(), "/home/you/hello_books/lessons/04_migrations"}});
}

TEST_CASE("db: init on an existing folder") {
  const Project project("init_twice");
  project.db_ok({"init"});
  require_quoted(project.db({"init"}), {});
}

TEST_CASE("db: migrate while the database is behind") {
  const Project project("behind");
  const std::string id = project.first_revision();
  require_quoted(project.db({"migrate", "-m", "again"}), {{id, "125d4289436c"}});
}

TEST_CASE("db: an applied revision was edited") {
  const Project project("edited");
  const std::string id = project.first_revision();
  project.db_ok({"upgrade"});
  const fs::path file = project.file_of(id);
  write(file, read(file) + "-- my note\n");
  require_quoted(project.db({"upgrade"}), {{id, "125d4289436c"}});
  // The fix the page gives: accept the edit, then the commands work again.
  project.db_ok({"accept", id});
  project.db_ok({"upgrade"});
}

TEST_CASE("db: a revision fails and is rolled back") {
  const Project project("failing");
  const std::string first = project.first_revision();
  project.db_ok({"upgrade"});
  project.db_ok({"revision", "-m", "bad sql"});
  std::string bad;
  for (const auto& entry : fs::directory_iterator(project.versions())) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(first + "_", 0) != 0) bad = name.substr(0, name.find('_'));
  }
  const fs::path file = project.file_of(bad);
  // Two statements right below the upgrade marker; the second fails (line 9, as on the page).
  write(file, replaced(read(file), "-- === upgrade ===\n",
                       "-- === upgrade ===\nCREATE TABLE t (x integer);\n"
                       "ALTER TABLE books ADD COLUMN broken nosuchtype;\n"));
  require_quoted(project.db({"upgrade"}), {{bad, "8545665af128"}});
  // Rolled back: the database stays at the first revision.
  const ProgramRun current = project.db({"current"});
  CHECK(current.out.find(first) != std::string::npos);
}

TEST_CASE("db: multiple heads") {
  const Project project("heads");
  const std::string id = project.first_revision();
  // A second revision that also starts from base. Heads are listed by id, so the fork's id
  // sorts after any generated one: the message's order is the page's.
  std::string fork = replaced(read(project.file_of(id)), id, "ffffffffffff");
  fork = replaced(fork, "-- adds Book model\n", "-- fork\n");
  write(project.versions() / "ffffffffffff_fork.sql", fork);
  require_quoted(project.db({"upgrade"}), {{id, "125d4289436c"}});
}

TEST_CASE("db: unknown and ambiguous revision ids") {
  const Project project("ids");
  const std::string id = project.first_revision();
  require_quoted(project.db({"upgrade", "nope"}), {});
  // A second revision whose id starts like the first one's.
  const std::string twin = id.substr(0, 4) + "00000000";
  std::string text = replaced(read(project.file_of(id)), id, twin);
  text = replaced(text, "-- Revises:\n", "-- Revises: " + id + "\n");
  write(project.versions() / (twin + "_x.sql"), text);
  require_quoted(
      project.db({"upgrade", id.substr(0, 4)}),
      {{id, "125d4289436c"}, {twin, "125d00000000"}, {"'" + id.substr(0, 4) + "'", "'125d'"}});
}

TEST_CASE("db: targets in the wrong direction") {
  const Project project("direction");
  const std::string id = project.first_revision();
  require_quoted(project.db({"downgrade"}), {});  // nothing applied yet
  project.db_ok({"upgrade"});
  require_quoted(project.db({"upgrade", "base"}), {{id, "125d4289436c"}});
  require_quoted(project.db({"downgrade", "-2"}), {});
}

TEST_CASE("db: the program runs before db upgrade made the table") {
  const Project project("no_table");
  project.first_revision();
  require_quoted(project.run({}), {});
}

TEST_CASE("db: an unknown command") {
  const Project project("usage");
  const ProgramRun run = project.run({"db", "frob"});
  CHECK(run.exit_code == 2);
  require_quoted(run, {});
}
