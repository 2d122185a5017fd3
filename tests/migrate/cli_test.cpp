// Do not change this file: it checks the migrations (label: migrate).
//
// The `db` command line as students run it: migrate_app (orm::cli::run over a Book model) runs
// as a separate process; the tests check exit codes, stdout and stderr, and that 8 concurrent
// upgrades of a fresh database apply every revision exactly once.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "process.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::EndsWith;
using Catch::StartsWith;
using migrate_testing::Environment;
using migrate_testing::fresh_project;
using migrate_testing::ProcessResult;
using migrate_testing::run_app;

namespace {

std::string scalar(const orm::DatabaseUrl& url, const std::string& sql) {
  orm::Database db(url);
  pqxx::nontransaction tx(db.connection());
  const pqxx::result result = tx.exec(sql);
  return result.empty() || result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
}

// The revision id in "Generating migrations/versions/<id>_<slug>.sql ...  done".
std::string generated_id(const std::string& out) {
  std::smatch match;
  const std::regex generating("Generating migrations/versions/([0-9a-f]{12})_[a-z0-9_]*\\.sql");
  REQUIRE(std::regex_search(out, match, generating));
  return match[1];
}

// The file of "Generating migrations/versions/<file> ...  done", in `project`.
fs::path generated_file(const std::string& project, const std::string& out) {
  const auto start = out.find("migrations/versions/");
  REQUIRE(start != std::string::npos);
  return fs::path(project) / out.substr(start, out.find(" ...", start) - start);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Puts `sql` into the upgrade section of a revision made by `db revision` (in place of its
// placeholder comment).
void write_upgrade(const fs::path& file, const std::string& sql) {
  std::string text = read_text(file);
  const std::string placeholder =
      "-- Write the SQL that makes the change here; end each statement with ;\n";
  REQUIRE(text.find(placeholder) != std::string::npos);
  text.replace(text.find(placeholder), placeholder.size(), sql);
  std::ofstream(file) << text;
}

// Checks a successful command: exit 0, nothing on stderr.
void check_ok(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  CHECK(result.err == "");
  CHECK(result.status == 0);
}

// Checks a failed command: exit `status`, nothing on stdout, one "error: ..." line on stderr.
void check_error(const ProcessResult& result, int status = 1) {
  INFO("stdout: " << result.out << "stderr: " << result.err);
  CHECK(result.status == status);
  CHECK_THAT(result.err, StartsWith("error: "));
  CHECK(result.err.find('\n') == result.err.size() - 1);
}

}  // namespace

TEST_CASE("the lesson 04 flow through the command line", "[cli]") {
  const std::string project = fresh_project();
  const orm::DatabaseUrl url = testing_support::scratch_database("flow");
  Environment book{{"DATABASE_URL", url.uri_with_password()}, {"MIGRATE_APP_MODELS", "book"}};
  Environment author = book;
  author["MIGRATE_APP_MODELS"] = "author";

  auto result = run_app({"db", "init"}, project, book);
  check_ok(result);
  CHECK(result.out ==
        "Creating directory migrations ...  done\n"
        "Creating directory migrations/versions ...  done\n"
        "Generating migrations/README ...  done\n");

  result = run_app({"db", "migrate", "-m", "adds Book model"}, project, book);
  check_ok(result);
  const std::string first = generated_id(result.out);
  CHECK(result.out == "Detected added table 'books'\nGenerating migrations/versions/" + first +
                          "_adds_book_model.sql ...  done\n");

  result = run_app({"db", "upgrade"}, project, book);
  check_ok(result);
  CHECK(result.out == "Running upgrade  -> " + first + ", adds Book model\n");

  result = run_app({"db", "current"}, project, book);
  check_ok(result);
  CHECK(result.out == first + " (head)\n");

  result = run_app({"db", "history"}, project, book);
  check_ok(result);
  CHECK(result.out == "<base> -> " + first + " (head) (current), adds Book model\n");

  scalar(url, "INSERT INTO books (title, description) VALUES ('Ocean Book', 'water forever')");

  result = run_app({"db", "migrate", "-m", "adds author"}, project, author);
  check_ok(result);
  const std::string second = generated_id(result.out);
  CHECK(result.out == "Detected added column 'books.author'\nGenerating migrations/versions/" +
                          second + "_adds_author.sql ...  done\n");

  result = run_app({"db", "upgrade"}, project, author);
  check_ok(result);
  CHECK(result.out == "Running upgrade " + first + " -> " + second + ", adds author\n");

  result = run_app({"db", "downgrade"}, project, author);
  check_ok(result);
  CHECK(result.out == "Running downgrade " + second + " -> " + first + ", adds author\n");

  result = run_app({"db", "upgrade"}, project, author);
  check_ok(result);
  CHECK(result.out == "Running upgrade " + first + " -> " + second + ", adds author\n");

  result = run_app({"db", "downgrade", "-1"}, project, author);  // a negative target parses
  check_ok(result);
  result = run_app({"db", "upgrade", "+1"}, project, author);
  check_ok(result);
  CHECK(result.out == "Running upgrade " + first + " -> " + second + ", adds author\n");

  result = run_app({"db", "current"}, project, author);
  check_ok(result);
  CHECK(result.out == second + " (head)\n");
  CHECK(scalar(url, "SELECT title || ': ' || description FROM books") ==
        "Ocean Book: water forever");
  CHECK(scalar(url, "SELECT count(*) FROM migration_history") == "2");

  // No change: nothing written; and check agrees.
  result = run_app({"db", "migrate", "-m", "nothing"}, project, author);
  check_ok(result);
  CHECK(result.out == "No changes in schema detected.\n");
  result = run_app({"db", "check"}, project, author);
  check_ok(result);
  CHECK(result.out == "No new upgrade operations detected.\n");

  // The models differ from the database: check fails, for CI.
  result = run_app({"db", "check"}, project, book);
  check_error(result);
  CHECK(result.out == "Detected removed column 'books.author' (destructive)\n");
  // One piece of advice, on one line: both ways, and why to choose each.
  CHECK(result.err ==
        "error: the models differ from the database, and a generated revision drops column "
        "books.author and the data in it: to keep or move that data, write the revision yourself "
        "(`migrate_app db revision -m \"describe the change\"`); to let it go, `migrate_app db "
        "migrate -m \"describe the change\"`; then `migrate_app db upgrade`\n");

  // A change that loses nothing: db migrate is the whole advice.
  scalar(url, "ALTER TABLE books DROP COLUMN author");
  result = run_app({"db", "check"}, project, author);
  check_error(result);
  CHECK(result.out == "Detected added column 'books.author'\n");
  CHECK(result.err ==
        "error: the models differ from the database: run `migrate_app db migrate -m \"describe the "
        "change\"`, then `migrate_app db upgrade`\n");
}

TEST_CASE("db init twice: the second one refuses with one line", "[cli][errors]") {
  const std::string project = fresh_project();
  check_ok(run_app({"db", "init"}, project));
  const auto result = run_app({"db", "init"}, project);
  check_error(result);
  CHECK(result.out == "");
  CHECK(result.err ==
        "error: directory migrations already exists and is not empty: keep using it, or remove it "
        "(or pass another --directory) to start over\n");

  // -d picks another folder.
  const auto other = run_app({"db", "init", "-d", "db_migrations"}, project);
  check_ok(other);
  CHECK(fs::is_directory(fs::path(project) / "db_migrations" / "versions"));
}

TEST_CASE("commands without migrations/ say to run db init", "[cli][errors]") {
  const std::string project = fresh_project();
  const Environment env{{"DATABASE_URL", testing_support::test_database().uri_with_password()}};
  for (const char* command : {"upgrade", "current", "migrate", "history", "heads"}) {
    const auto result = run_app({"db", command}, project, env);
    INFO(command);
    check_error(result);
    CHECK(result.err == "error: no migrations directory 'migrations' in " + project +
                            ": run `migrate_app db init` to create it (or pass --directory)\n");
  }
}

TEST_CASE("a server that is down gives one line without the password, and --sql still works",
          "[cli][errors]") {
  const std::string project = fresh_project();
  const Environment down{
      {"DATABASE_URL", "postgresql://postgres:s3cret-pw@127.0.0.1:1/hello_books_development"}};
  check_ok(run_app({"db", "init"}, project, down));
  check_ok(run_app({"db", "revision", "-m", "by hand"}, project, down));

  for (const char* command : {"upgrade", "current", "downgrade", "stamp", "migrate", "check"}) {
    const auto result = run_app({"db", command}, project, down);
    INFO(command);
    check_error(result);
    CHECK(result.out == "");
    CHECK(result.err ==
          "error: cannot connect to PostgreSQL at 127.0.0.1:1 (no server answers there): is the "
          "server running? In this workbook: ./workbook db start\n");
  }

  const auto sql = run_app({"db", "upgrade", "--sql"}, project, down);
  check_ok(sql);
  CHECK_THAT(sql.out, StartsWith("CREATE TABLE IF NOT EXISTS migration_history (\n"));
  CHECK_THAT(sql.out, Contains("\n-- Running upgrade  -> "));

  // history reads the files; it says why the current revision is not marked.
  const auto history = run_app({"db", "history"}, project, down);
  check_ok(history);
  CHECK_THAT(history.out, Contains(" (head), by hand\n(current revision not marked: cannot connect "
                                   "to PostgreSQL at 127.0.0.1:1"));
  CHECK(history.out.find("s3cret-pw") == std::string::npos);
}

TEST_CASE("a wrong password is named, never printed", "[cli][errors]") {
  const std::string project = fresh_project();
  const orm::DatabaseUrl& server = testing_support::server_url();
  const std::string url =
      testing_support::wrong_password_url(server.with_database("postgres"), "not-the-pw-4711");
  const Environment env{{"DATABASE_URL", url}};
  check_ok(run_app({"db", "init"}, project, env));
  const auto result = run_app({"db", "current"}, project, env);
  check_error(result);
  CHECK(result.err == "error: cannot log in to PostgreSQL at " + server.server() + " as \"" +
                          orm::DatabaseUrl::parse(url).user() +
                          "\": wrong password; fix the password in the connection URL\n");
  CHECK(result.err.find("not-the-pw-4711") == std::string::npos);

  // A password that is also an everyday word leaves the message's own words alone.
  const auto wrong = run_app({"db", "current"}, project,
                             {{"DATABASE_URL", testing_support::wrong_password_url(
                                                   server.with_database("postgres"), "wrong")}});
  check_error(wrong);
  CHECK_THAT(wrong.err, Contains("\": wrong password; fix the password in the connection URL"));

  const auto bad_url =
      run_app({"db", "current"}, project,
              {{"DATABASE_URL", "postgresql://postgres:pw-9@localhost:notaport/x"}});
  check_error(bad_url);
  CHECK_THAT(bad_url.err, StartsWith("error: the connection URL is not a valid PostgreSQL URL (the "
                                     "port is not a number from 1 to 65535"));
  CHECK(bad_url.err.find("pw-9") == std::string::npos);
  CHECK(bad_url.err.find("notaport") == std::string::npos);
}

TEST_CASE("usage errors exit 2 with one line, and --help prints the commands", "[cli][errors]") {
  const std::string project = fresh_project();
  auto result = run_app({"db", "upgrade", "--bogus"}, project);
  check_error(result, 2);
  CHECK_THAT(result.err, Contains("--bogus"));
  CHECK_THAT(result.err, Contains("see `migrate_app db upgrade --help`"));

  result = run_app({"db", "show"}, project);
  check_error(result, 2);
  CHECK_THAT(result.err, Contains("see `migrate_app db show --help`"));

  result = run_app({"db", "frobnicate"}, project);
  check_error(result, 2);

  // --rename reaches the comparison, which names what does not match.
  check_ok(run_app({"db", "init"}, project));
  result = run_app({"db", "migrate", "-m", "x", "--rename", "books.nope:description"}, project,
                   {{"DATABASE_URL", testing_support::test_database().uri_with_password()}});
  check_error(result);
  CHECK_THAT(result.err, StartsWith("error: --rename books.nope:description: table books must be "
                                    "both in the models and in the database"));

  result = run_app({"--help"}, project);
  check_ok(result);
  CHECK_THAT(result.out, Contains("migrate_app: the migration tests' app"));
  CHECK_THAT(result.out, Contains("Perform database migrations."));

  result = run_app({"db", "--help"}, project);
  check_ok(result);
  CHECK_THAT(result.out, Contains("Usage: migrate_app db [OPTIONS] [SUBCOMMAND]"));
  CHECK(run_app({"db"}, project).out == result.out);  // `db` alone lists the commands too
  for (const char* command : {"init", "migrate", "revision", "merge", "upgrade", "downgrade",
                              "current", "history", "heads", "show", "stamp", "check", "accept"}) {
    CHECK_THAT(result.out, Contains(std::string("  ") + command));
  }
}

TEST_CASE("a failing revision prints one error line and exits 1", "[cli][errors]") {
  const std::string project = fresh_project();
  const Environment env{
      {"DATABASE_URL", testing_support::scratch_database("failing").uri_with_password()}};
  check_ok(run_app({"db", "init"}, project, env));
  const auto made = run_app({"db", "revision", "-m", "divides by zero"}, project, env);
  check_ok(made);
  write_upgrade(generated_file(project, made.out), "CREATE TABLE a (x integer);\nSELECT 1/0;\n");

  const auto result = run_app({"db", "upgrade"}, project, env);
  check_error(result);
  CHECK(result.out == "Running upgrade  -> " + generated_id(made.out) + ", divides by zero\n");
  CHECK_THAT(result.err, StartsWith("error: migrations/versions/" + generated_id(made.out) +
                                    "_divides_by_zero.sql:10: division by zero (SQLSTATE 22012); "
                                    "upgrade "));
  CHECK_THAT(result.err, Contains("was rolled back (revisions before it stay applied)"));
}

TEST_CASE("a downgrade whose section is empty says that nothing was undone", "[cli]") {
  const std::string project = fresh_project();
  const Environment env{
      {"DATABASE_URL", testing_support::scratch_database("empty_down").uri_with_password()}};
  check_ok(run_app({"db", "init"}, project, env));
  const auto made = run_app({"db", "revision", "-m", "adds a table"}, project, env);
  check_ok(made);
  const std::string id = generated_id(made.out);
  write_upgrade(generated_file(project, made.out), "CREATE TABLE a (x integer);\n");

  check_ok(run_app({"db", "upgrade"}, project, env));
  const auto down = run_app({"db", "downgrade"}, project, env);
  check_ok(down);
  CHECK(down.out ==
        "Running downgrade " + id +
            " -> , adds a table\n"
            "Warning: the downgrade section of " +
            id +
            "_adds_a_table.sql is empty: "
            "nothing of its upgrade is undone, but the database is recorded without it; "
            "write its downgrade (and undo its changes by hand) before you upgrade "
            "again\n");
  // A revision with nothing in either section (a merge point, a placeholder) says nothing more.
  const auto empty = run_app({"db", "revision", "-m", "nothing"}, project, env);
  check_ok(empty);
  check_ok(run_app({"db", "stamp", "head"}, project, env));
  const auto quiet = run_app({"db", "downgrade"}, project, env);
  check_ok(quiet);
  CHECK_THAT(quiet.out, !Contains("Warning"));
}

TEST_CASE("every db command reaches its action: an edit refused, then accepted", "[cli]") {
  const std::string project = fresh_project();
  const Environment env{
      {"DATABASE_URL", testing_support::scratch_database("commands").uri_with_password()}};
  check_ok(run_app({"db", "init"}, project, env));
  auto result = run_app({"db", "migrate", "-m", "adds Book model"}, project, env);
  check_ok(result);
  const std::string id = generated_id(result.out);
  const fs::path file =
      fs::path(project) / "migrations" / "versions" / (id + "_adds_book_model.sql");

  result = run_app({"db", "heads"}, project, env);
  check_ok(result);
  CHECK(result.out == id + " (head)\n");
  result = run_app({"db", "show", id.substr(0, 4)}, project, env);
  check_ok(result);
  CHECK_THAT(result.out, StartsWith("Rev: " + id + " (head)\nParent: <base>\n"));
  result = run_app({"db", "stamp", id}, project, env);
  check_ok(result);
  CHECK(result.out == "Running stamp_revision  -> " + id + "\n");
  result = run_app({"db", "stamp", "base"}, project, env);
  check_ok(result);
  result = run_app({"db", "upgrade"}, project, env);
  check_ok(result);
  result = run_app({"db", "downgrade", "--sql", "head:base"}, project, env);
  check_ok(result);
  CHECK_THAT(result.out, StartsWith("-- Running downgrade " + id + " -> , adds Book model\n"));

  std::ofstream(file, std::ios::app) << "-- edited after the upgrade\n";
  result = run_app({"db", "upgrade"}, project, env);
  check_error(result);
  CHECK(result.err ==
        "error: migrations/versions/" + id +
            "_adds_book_model.sql was edited after "
            "revision " +
            id +
            " was applied (its checksum differs from "
            "migration_history): undo the edit and put the change in a new revision, or, to "
            "keep the edited file (e.g. you fixed its downgrade), run `migrate_app db accept " +
            id + "`\n");
  result = run_app({"db", "accept", id}, project, env);
  check_ok(result);
  CHECK(result.out == "Accepted the edited migrations/versions/" + id +
                          "_adds_book_model.sql for "
                          "revision " +
                          id + " (the database keeps what the old text did)\n");
  check_ok(run_app({"db", "upgrade"}, project, env));
  result = run_app({"db", "revision", "-m", "by hand"}, project, env);
  check_ok(result);
  CHECK_THAT(result.out, StartsWith("Generating migrations/versions/"));
}

TEST_CASE("no command runs the program, with the password masked", "[cli]") {
  const std::string project = fresh_project();
  const auto result = run_app(
      {}, project, {{"DATABASE_URL", "postgresql://postgres:pw-1234@localhost:55432/somewhere"}});
  check_ok(result);
  CHECK(result.out == "migrate_app uses postgresql://postgres:***@localhost:55432/somewhere\n");
}

TEST_CASE("a program that runs before db upgrade is told to run it", "[cli][errors]") {
  const std::string project = fresh_project();
  const Environment env = {
      {"DATABASE_URL", testing_support::scratch_database("before_upgrade").uri_with_password()},
      {"MIGRATE_APP_RUN", "count_books"}};
  const auto result = run_app({}, project, env);
  CHECK(result.status == 1);
  CHECK_THAT(result.err, StartsWith("error: relation \"books\" does not exist"));
  CHECK_THAT(result.err, EndsWith("this program's migrations make its tables: run `migrate_app db "
                                  "upgrade`\n"));
  CHECK(migrate_testing::lines(result.err).size() == 1);
  // After the upgrade the same program runs.
  REQUIRE(run_app({"db", "init"}, project, env).status == 0);
  REQUIRE(run_app({"db", "migrate", "-m", "adds Book model"}, project, env).status == 0);
  REQUIRE(run_app({"db", "upgrade"}, project, env).status == 0);
  const auto after = run_app({}, project, env);
  check_ok(after);
  CHECK_THAT(after.out, EndsWith("0 books\n"));
}

TEST_CASE("8 concurrent db upgrade processes on a fresh database apply each revision once",
          "[cli][concurrency]") {
  const std::string project = fresh_project();
  check_ok(run_app({"db", "init"}, project));
  const auto scripts = orm::migrate::ScriptDirectory::load(fs::path(project) / "migrations");
  const std::vector<std::string> ids{"a00000000001", "a00000000002", "a00000000003"};
  const std::vector<std::pair<std::string, std::string>> sections{
      {"CREATE TABLE books (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, title "
       "text);\n",
       "DROP TABLE books;\n"},
      {"ALTER TABLE books ADD COLUMN author text;\n", "ALTER TABLE books DROP COLUMN author;\n"},
      {"CREATE TABLE authors (id integer PRIMARY KEY, name text);\n", "DROP TABLE authors;\n"}};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    orm::migrate::RevisionDraft draft;
    draft.id = ids[i];
    if (i != 0) draft.down_revisions = {ids[i - 1]};
    draft.message = "step " + std::to_string(i + 1);
    draft.create_date = orm::migrate::create_date_now();
    draft.upgrade_body = sections[i].first;
    draft.downgrade_body = sections[i].second;
    scripts.write(draft);
  }

  constexpr int kTrials = 20;
  constexpr int kProcesses = 8;
  for (int trial = 1; trial <= kTrials; ++trial) {
    INFO("trial " << trial);
    const orm::DatabaseUrl url = testing_support::scratch_database("race");
    const Environment env{{"DATABASE_URL", url.uri_with_password()}};
    std::vector<migrate_testing::RunningProcess> running;
    for (int i = 0; i < kProcesses; ++i)
      running.push_back(migrate_testing::start_app({"db", "upgrade"}, project, env));
    std::map<std::string, int> runs;  // "Running upgrade" lines per revision, over all processes
    for (const auto& process : running) {
      const auto result = migrate_testing::finish(process);
      check_ok(result);
      for (const auto& line : migrate_testing::lines(result.out)) {
        if (line.rfind("Running upgrade", 0) == 0) ++runs[line];
      }
    }
    REQUIRE(runs.size() == ids.size());
    for (const auto& [line, count] : runs) {
      INFO(line);
      CHECK(count == 1);
    }
    CHECK(
        scalar(url, "SELECT string_agg(revision, ',' ORDER BY revision) FROM migration_history") ==
        "a00000000001,a00000000002,a00000000003");
    CHECK(scalar(url,
                 "SELECT count(*) FROM pg_attribute WHERE attrelid = 'books'::regclass AND "
                 "attname = 'author'") == "1");
    CHECK(scalar(url, "SELECT to_regclass('authors') IS NOT NULL") == "t");
  }
}

TEST_CASE("db merge and db check --roundtrip through the command line", "[cli][merge]") {
  const std::string project = fresh_project();
  const orm::DatabaseUrl url = testing_support::scratch_database("cli_merge");
  const Environment env{{"DATABASE_URL", url.uri_with_password()}};
  REQUIRE(run_app({"db", "init"}, project, env).status == 0);
  ProcessResult result = run_app({"db", "migrate", "-m", "adds Book model"}, project, env);
  check_ok(result);
  const std::string books = generated_id(result.out);
  // Two teammates' revisions after it: two heads.
  std::vector<std::string> branches;
  for (const char* message : {"first branch", "second branch"}) {
    result = run_app({"db", "revision", "-m", message}, project, env);
    check_ok(result);
    branches.push_back(generated_id(result.out));
    const fs::path file = generated_file(project, result.out);
    std::string text = read_text(file);
    text.replace(text.find("-- Revises: "), 24, "-- Revises: " + books);
    std::ofstream(file, std::ios::binary) << text;
  }
  result = run_app({"db", "upgrade"}, project, env);
  check_error(result);
  CHECK_THAT(result.err, Contains("Join them: `migrate_app db merge` writes a merge revision"));

  result = run_app({"db", "merge", "-m", "joins the branches"}, project, env);
  check_ok(result);
  const std::string merge = generated_id(result.out);
  result = run_app({"db", "heads"}, project, env);
  CHECK(result.out == merge + " (head)\n");
  result = run_app({"db", "merge"}, project, env);
  check_error(result);
  CHECK_THAT(result.err, StartsWith("error: nothing to merge: there is one head, " + merge));
  check_ok(run_app({"db", "upgrade"}, project, env));
  result = run_app({"db", "current"}, project, env);
  CHECK(result.out == merge + " (head)\n");

  result = run_app({"db", "check", "--roundtrip"}, project, env);
  check_ok(result);
  CHECK_THAT(result.out, Contains("\nRound trip OK: "));

  // A revision whose downgrade forgets a table: exit 1, the revision named on stdout.
  result = run_app({"db", "revision", "-m", "leaks"}, project, env);
  const std::string leaks = generated_id(result.out);
  const fs::path file = generated_file(project, result.out);
  std::string text = read_text(file);
  text.replace(text.find("-- Write the SQL that makes"), 0, "CREATE TABLE leaked (x integer);\n");
  std::ofstream(file, std::ios::binary) << text;
  result = run_app({"db", "check", "--roundtrip"}, project, env);
  check_error(result);
  CHECK(result.err ==
        "error: the migrations failed the round trip: fix the revisions named above, then run "
        "`migrate_app db check --roundtrip` again\n");
  CHECK_THAT(result.out, Contains("\n" + leaks +
                                  " (leaks): its downgrade does not undo its upgrade: it leaves "
                                  "table public.leaked"));
  // Only that revision is blamed, not the ones below it that its leftover outlives.
  CHECK(result.out.find("its downgrade") == result.out.rfind("its downgrade"));
  // Its scratch database is gone.
  CHECK(scalar(url, "SELECT count(*) FROM pg_database WHERE starts_with(datname, '" +
                        url.database() + "_roundtrip_')") == "0");
}
