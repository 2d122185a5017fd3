// Real-world revision SQL on a real server (issues 11 and 18): session state between revisions,
// the schema-qualified history table, COPY rows, BEGIN ATOMIC and rules, failures named by
// their statement, targets, destructive revisions, the migration lock's waiting and timeout.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <unistd.h>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "project.hpp"
#include "test_database.hpp"

using Catch::Contains;
using Catch::EndsWith;
using Catch::Matches;
using Catch::StartsWith;
using namespace migrate_testing;

namespace {

// A role of this process (roles are per cluster), dropped at the end of the test case.
struct TemporaryRole {
  TemporaryRole(Project& project, const std::string& suffix)
      : project(project), name("migrate_test_" + std::to_string(::getpid()) + "_" + suffix) {
    project.exec("DROP ROLE IF EXISTS " + name + "; CREATE ROLE " + name + " NOLOGIN; GRANT " +
                 name + " TO CURRENT_USER");
  }
  ~TemporaryRole() {
    try {
      project.exec("DROP OWNED BY " + name + "; DROP ROLE IF EXISTS " + name);
    } catch (...) {
    }
  }
  Project& project;
  std::string name;
};

}  // namespace

TEST_CASE("SET ROLE and search_path in a revision neither block nor move its history row",
          "[session][issue18]") {
  Project p;
  TemporaryRole role(p, "role");
  p.hand_revision("schema app", "CREATE SCHEMA app;\n", "DROP SCHEMA app;\n");
  const std::string as_role = p.hand_revision("as a role", "SET ROLE " + role.name + ";\n",
                                              "SET ROLE " + role.name + ";\n");
  // What every pg_dump output starts with, then what a hand-written revision does.
  p.hand_revision("dump style", "SELECT pg_catalog.set_config('search_path', '', false);\n",
                  "SELECT pg_catalog.set_config('search_path', '', false);\n");
  const std::string last =
      p.hand_revision("search path", "SET search_path TO app;\n", "SET search_path TO app;\n");
  p.db.upgrade();
  CHECK(p.scalar("SELECT count(*) FROM public.migration_history") == "4");
  CHECK(p.scalar("SELECT to_regclass('app.migration_history') IS NULL") == "t");
  CHECK(p.db.current() == last);
  p.db.downgrade("base");
  CHECK(p.db.applied().empty());
  CHECK(p.scalar("SELECT current_user = session_user") == "t");
  CHECK(p.scalar("SELECT to_regclass('app.migration_history') IS NULL") == "t");
}

TEST_CASE(
    "settings of one revision never reach the next: one upgrade or one at a time, same "
    "database",
    "[session][issue18]") {
  const auto make = [](Project& p, const std::string& role) {
    p.hand_revision("app schema",
                    "CREATE SCHEMA app;\nSET search_path TO app, public;\n"
                    "CREATE TEMP TABLE scratch (x integer);\nSET ROLE " +
                        role + ";\nSET statement_timeout = '5min';\n",
                    "DROP SCHEMA app;\n");
    p.hand_revision("books",
                    "CREATE TABLE books (id integer);\n"
                    "CREATE TABLE facts AS SELECT current_setting('search_path') AS path,\n"
                    "  to_regclass('pg_temp.scratch') IS NULL AS no_temp,\n"
                    "  current_user = session_user AS own_role,\n"
                    "  current_setting('statement_timeout') AS timeout;\n",
                    "DROP TABLE facts;\nDROP TABLE books;\n");
  };
  Project all_at_once;
  TemporaryRole role(all_at_once, "facts");
  make(all_at_once, role.name);
  all_at_once.db.upgrade();
  Project one_by_one;
  make(one_by_one, role.name);
  one_by_one.db.upgrade("+1");
  one_by_one.db.upgrade("+1");
  for (Project* p : {&all_at_once, &one_by_one}) {
    CHECK(p->scalar("SELECT to_regclass('public.books') IS NOT NULL") == "t");
    CHECK(p->scalar("SELECT to_regclass('app.books') IS NULL") == "t");
    CHECK(p->scalar("SELECT path || ' ' || no_temp || ' ' || own_role || ' ' || timeout FROM "
                    "public.facts") == "\"$user\", public true true 0");
  }
}

TEST_CASE("with no history schema set, the history goes to the schema current at the start",
          "[session][issue18]") {
  orm::migrate::Settings settings;
  settings.history_schema = "";  // the default: as Alembic's unqualified alembic_version
  Project p(true, settings);
  // A user whose search_path starts with a schema of its own (e.g. a role that may not write to
  // public, as on PostgreSQL 15 for anyone but the database's owner).
  p.exec("CREATE SCHEMA app; ALTER DATABASE " + p.app.db().url().database() +
         " SET search_path TO app, public");
  p.app.db().disconnect();
  p.hand_revision("moves", "SET search_path TO public;\nCREATE TABLE t (x integer);\n",
                  "DROP TABLE public.t;\n");
  p.db.upgrade();
  CHECK(p.scalar("SELECT count(*) FROM app.migration_history") == "1");
  CHECK(p.scalar("SELECT to_regclass('public.migration_history') IS NULL") == "t");
  CHECK(p.scalar("SELECT to_regclass('public.t') IS NOT NULL") == "t");
  CHECK(p.db.applied().size() == 1);
  p.db.downgrade("base");
  CHECK(p.db.applied().empty());
  // Offline output cannot ask the server: it names the table unqualified.
  p.take();
  p.db.upgrade_sql();
  CHECK_THAT(p.take(), StartsWith("CREATE TABLE IF NOT EXISTS migration_history (\n"));
}

TEST_CASE("the history table's schema is a setting, and a missing schema is named",
          "[session][issue18]") {
  orm::migrate::Settings settings;
  settings.history_schema = "meta";
  Project p(true, settings);
  p.hand_revision("t", "CREATE TABLE t (x integer);\n", "DROP TABLE t;\n");
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        "cannot create the history table meta.migration_history: its schema does not exist: "
        "create it (CREATE SCHEMA ...) or choose another history schema");
  p.exec("CREATE SCHEMA meta");
  p.db.upgrade();
  CHECK(p.scalar("SELECT count(*) FROM meta.migration_history") == "1");
  CHECK(p.scalar("SELECT to_regclass('public.migration_history') IS NULL") == "t");
  CHECK(p.db.applied().size() == 1);
  p.take();
  p.db.upgrade_sql();
  CHECK_THAT(p.take(), StartsWith("CREATE TABLE IF NOT EXISTS meta.migration_history (\n"));
}

TEST_CASE("COPY FROM stdin rows are loaded through the COPY protocol, also by --sql and psql",
          "[session][copy][issue18]") {
  Project p;
  const std::string id =
      p.hand_revision("seed data",
                      "CREATE TABLE authors (id integer PRIMARY KEY, name text, note text);\n"
                      "COPY authors (id, name, note) FROM stdin;\n"
                      "1\tO'Brien\t\\N\n"
                      "2\tTab\\there; semicolon\tbackslash \\\\ end\n"
                      "3\tCaf\xC3\xA9 \xF0\x9F\x93\x9A\t$$ -- not SQL\n"
                      "\\.\n"
                      "COPY authors FROM stdin WITH (FORMAT csv);\n"
                      "4,\"multi\n"
                      "line\",\"\"\n"
                      "\\.\n"
                      "UPDATE authors SET note = 'copied' WHERE id = 4;\n",
                      "DELETE FROM authors;\nCOPY authors FROM stdin;\n9\tback\t\\N\n\\.\n");
  p.db.upgrade();
  CHECK(p.scalar("SELECT string_agg(id || '|' || name || '|' || coalesce(note, 'NULL'), ';' "
                 "ORDER BY id) FROM authors") ==
        "1|O'Brien|NULL;2|Tab\there; semicolon|backslash \\ end;3|Caf\xC3\xA9 "
        "\xF0\x9F\x93\x9A|$$ -- not SQL;4|multi\nline|copied");
  p.db.downgrade();
  CHECK(p.scalar("SELECT to_regclass('authors') IS NULL") == "f");
  CHECK(p.scalar("SELECT string_agg(name, ',') FROM authors") == "back");
  CHECK(p.db.applied().empty());

  // --sql prints the rows and \. so psql loads the same.
  p.exec("DROP TABLE authors");
  p.take();
  p.db.upgrade_sql(id);
  const std::string sql = p.take();
  CHECK_THAT(sql, Contains("COPY authors (id, name, note) FROM stdin;\n1\tO'Brien\t\\N\n"));
  write(p.directory / "upgrade.sql", sql);
  const std::string psql = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" +
                           p.app.database_url().uri_with_password() + "' -f " +
                           (p.directory / "upgrade.sql").string() + " >/dev/null";
  REQUIRE(std::system(psql.c_str()) == 0);
  CHECK(p.scalar("SELECT count(*) || ' ' || max(note) FROM authors") == "4 copied");
  CHECK(p.db.current() == id);
}

TEST_CASE(
    "BEGIN ATOMIC functions and CREATE RULE ... DO ALSO (...; ...) apply as psql applies "
    "them",
    "[session][issue18]") {
  Project p;
  p.hand_revision(
      "atomic and rule",
      "CREATE TABLE books (title text);\nCREATE TABLE log (what text);\n"
      "CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql\n"
      "BEGIN ATOMIC\n  SELECT a + b;\nEND;\n"
      "CREATE PROCEDURE note(t text) LANGUAGE sql\n"
      "BEGIN ATOMIC\n  INSERT INTO log VALUES (t);\n  INSERT INTO log VALUES (t || '!');\nEND;\n"
      "CREATE RULE books_log AS ON INSERT TO books DO ALSO (\n"
      "  INSERT INTO log VALUES ('a');\n  INSERT INTO log VALUES ('b')\n);\n",
      "DROP RULE books_log ON books;\nDROP PROCEDURE note(text);\nDROP FUNCTION add(integer, "
      "integer);\nDROP TABLE log;\nDROP TABLE books;\n");
  p.db.upgrade();
  p.exec("INSERT INTO books VALUES ('x'); CALL note('n')");
  CHECK(p.scalar("SELECT add(2, 3)") == "5");
  CHECK(p.scalar("SELECT string_agg(what, ',' ORDER BY what) FROM log") == "a,b,n,n!");
  p.db.downgrade();
  CHECK(p.scalar("SELECT to_regclass('books') IS NULL") == "t");
}

TEST_CASE("a failure is named by its statement and line, never by the words of the message",
          "[errors][issue11]") {
  Project p;
  p.hand_revision("first", "CREATE TABLE t (x integer);\n", "DROP TABLE t;\n");
  p.db.upgrade();

  // A trigger on the history table refuses the row: the revision's own SQL was fine. (The old
  // engine searched the message for "migration_history" and blamed the SQL here.)
  p.exec(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
      "EXCEPTION 'no more revisions today'; END $$; CREATE TRIGGER refuse BEFORE INSERT ON "
      "public.migration_history FOR EACH ROW EXECUTE FUNCTION refuse()");
  const std::string second =
      p.hand_revision("second", "CREATE TABLE u (x integer);\n", "DROP TABLE u;\n");
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        "recording upgrade " + second +
            " in public.migration_history failed: no more revisions today (SQLSTATE P0001); "
            "nothing of this revision was kept");
  CHECK(p.scalar("SELECT to_regclass('u') IS NULL") == "t");
  p.exec("DROP TRIGGER refuse ON public.migration_history");

  // The failing statement among several, and the line inside a statement when the server gives
  // a position.
  fs::remove(p.file_of(second));
  const std::string third = p.hand_revision("third",
                                            "CREATE TABLE v (x integer);\n"
                                            "INSERT INTO v VALUES (1);\n"
                                            "SELECT x,\n"
                                            "       nope\n"
                                            "  FROM v;\n"
                                            "INSERT INTO v VALUES (2);\n",
                                            "DROP TABLE v;\n");
  const std::string text = read(p.file_of(third));
  const auto line_of = [&](const std::string& needle) {
    return std::to_string(std::count(text.begin(), text.begin() + text.find(needle), '\n') + 1);
  };
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        p.file_of(third).string() + ":" + line_of("       nope") +
            ": column \"nope\" does not exist (SQLSTATE 42703); upgrade " + third +
            " (third) was rolled back (revisions before it stay applied): fix the SQL and run "
            "`hello_books db upgrade` again");
  CHECK(p.scalar("SELECT to_regclass('v') IS NULL") == "t");

  // A syntax error stops the whole message before BEGIN; its line is still the right one.
  std::string broken = text;
  broken.replace(broken.find("  FROM v;"), 9, "  FROM v WHERE;");
  write(p.file_of(third), broken);
  CHECK_THAT(error_of([&] { p.db.upgrade(); }),
             StartsWith(p.file_of(third).string() + ":" + line_of("  FROM v") +
                        ": syntax error at or near \";\" (SQLSTATE 42601); upgrade " + third));
  CHECK(p.scalar("SELECT pg_catalog.count(*) FROM public.migration_history") == "1");

  // A deferred constraint fails at COMMIT: named so, and rolled back.
  write(p.file_of(third), text.substr(0, text.find("-- === upgrade ===")) +
                              "-- === upgrade ===\n"
                              "CREATE TABLE parent (id integer PRIMARY KEY);\n"
                              "CREATE TABLE child (parent_id integer REFERENCES parent\n"
                              "  DEFERRABLE INITIALLY DEFERRED);\n"
                              "INSERT INTO child VALUES (7);\n"
                              "-- === downgrade ===\nDROP TABLE child;\nDROP TABLE parent;\n");
  CHECK_THAT(error_of([&] { p.db.upgrade(); }),
             Matches(".*: insert or update on table \"child\" violates foreign key constraint "
                     "\"child_parent_id_fkey\" \\(SQLSTATE 23503\\) at COMMIT \\(a deferred "
                     "constraint or trigger\\); upgrade " +
                     third + " \\(third\\) was rolled back.*"));
  CHECK(p.scalar("SELECT to_regclass('parent') IS NULL") == "t");
}

TEST_CASE("malformed targets are clear errors, before anything runs", "[targets][issue11]") {
  Project p;
  p.hand_revision("t1", "CREATE TABLE t1 (x integer);\n", "DROP TABLE t1;\n");
  p.take();
  CHECK(error_of([&] { p.db.upgrade(""); }) ==
        "upgrade '': the target is empty: name head, base, a revision id (or its first "
        "characters), +N or -N; `hello_books db upgrade` alone means its default");
  CHECK(error_of([&] { p.db.downgrade(""); }) ==
        "downgrade '': the target is empty: name head, base, a revision id (or its first "
        "characters), +N or -N; `hello_books db downgrade` alone means its default");
  CHECK(error_of([&] { p.db.upgrade("+999999999999"); }) ==
        "upgrade +999999999999 goes past head: the database is at base and 1 revision(s) are not "
        "applied yet; run `hello_books db upgrade` to apply them all");
  CHECK(error_of([&] { p.db.upgrade("+99999999999999999999999"); }) ==
        "upgrade +99999999999999999999999 goes past head: the database is at base and 1 "
        "revision(s) are not applied yet; run `hello_books db upgrade` to apply them all");
  CHECK(error_of([&] { p.db.downgrade("-999999999999"); }) ==
        "nothing to downgrade: no revision is applied (the database is at base)");
  for (const char* step : {"+", "-", "+-1", "++1", "+1x", "+1.5", "-0x1"}) {
    INFO(step);
    CHECK_THAT(error_of([&] { p.db.upgrade(step); }),
               EndsWith(": a step is + or - followed by a number of revisions, e.g. +1 or -2"));
  }
  CHECK(error_of([&] { p.db.upgrade("+0"); }) ==
        "upgrade +0: a step of 0 revisions does nothing: use +1 or more");
  CHECK(error_of([&] { p.db.upgrade(" head"); }) ==
        "upgrade ' head': a target has no spaces: name head, base, a revision id (or its first "
        "characters), +N or -N");
  CHECK(error_of([&] { p.db.upgrade("base:head"); }) ==
        "upgrade base:head: a FROM:TO range is for --sql only (`hello_books db upgrade --sql "
        "base:head`); without --sql, name head, base, a revision id (or its first characters), "
        "+N or -N");
  CHECK(error_of([&] { p.db.upgrade("a1;DROP"); }) ==
        "upgrade 'a1;DROP' is not a revision id (ids hold letters, digits and _): name head, "
        "base, a revision id (or its first characters), +N or -N");
  CHECK_THAT(error_of([&] { p.db.upgrade_sql("head:"); }),
             StartsWith("upgrade --sql '': the target is empty"));
  CHECK_THAT(error_of([&] { p.db.stamp(""); }), StartsWith("stamp '': the target is empty"));
  CHECK(p.take().empty());
  CHECK(p.scalar("SELECT to_regclass('t1') IS NULL") == "t");
}

TEST_CASE("upgrade and --sql name each destructive revision before running it",
          "[destructive][issue11]") {
  Project p;
  p.hand_revision("adds t", "CREATE TABLE t (x integer, y integer);\n", "DROP TABLE t;\n");
  const std::string drop = p.hand_revision("drops y", "ALTER TABLE t DROP COLUMN y;\n",
                                           "ALTER TABLE t ADD y integer;\n");
  const fs::path file = p.file_of(drop);
  std::string text = read(file);
  text.insert(text.find("\n\n-- === upgrade ==="), "\n-- Destructive: drops column t.y");
  write(file, text);
  const std::string bare =
      p.hand_revision("drops t", "DROP TABLE t;\n", "CREATE TABLE t (x integer);\n");
  std::string bare_text = read(p.file_of(bare));
  bare_text.insert(bare_text.find("\n\n-- === upgrade ==="), "\n-- Destructive:");
  write(p.file_of(bare), bare_text);

  p.db.upgrade_sql();
  const std::string sql = p.take();
  CHECK_THAT(sql, Contains("\n-- Destructive: " + drop +
                           " (drops y) drops column t.y\n-- Running "
                           "upgrade "));
  CHECK_THAT(sql, Contains("\n-- Destructive: " + bare + " (drops t) drops data\n"));
  p.db.upgrade();
  const std::string out = p.take();
  CHECK_THAT(out,
             Contains("\nDestructive: " + drop + " (drops y) drops column t.y\nRunning upgrade " +
                      p.db.applied()[0].revision + " -> " + drop + ", drops y\n"));
  CHECK_THAT(out, Contains("\nDestructive: " + bare + " (drops t) drops data\nRunning upgrade "));
  std::size_t lines = 0;
  for (auto at = out.find("Destructive: "); at != std::string::npos;
       at = out.find("Destructive: ", at + 1)) {
    ++lines;
  }
  CHECK(lines == 2);  // the first revision is not destructive
}

TEST_CASE("upgrade, current and history say so when there is no revision yet",
          "[history][issue10]") {
  Project p;
  const std::string versions = (p.directory / "versions").string();
  const std::string none = "No revisions yet in " + versions +
                           ": write the first with `hello_books db migrate -m \"message\"`\n";
  p.db.upgrade();
  CHECK(p.take() == none);
  CHECK_FALSE(p.db.current());
  CHECK(p.take() == none);
  p.db.history();
  CHECK(p.take() == none);
  p.hand_revision("t", "CREATE TABLE t (x integer);\n", "DROP TABLE t;\n");
  CHECK_FALSE(p.db.current());
  CHECK(p.take() ==
        "No revision applied yet (the database is at base): `hello_books db upgrade` applies "
        "them\n");
}

TEST_CASE("waiting for the migration lock names its holder, and --lock-timeout gives up",
          "[lock][issue11]") {
  orm::migrate::Settings settings;
  settings.lock_timeout_seconds = 0.5;
  Project p(true, settings);
  p.hand_revision("t", "CREATE TABLE t (x integer);\n", "DROP TABLE t;\n");

  orm::Database holder(p.app.database_url());
  pqxx::nontransaction tx(holder.connection());
  const std::string pid =
      tx.exec1("SET application_name = 'lock holder test'; SELECT pg_backend_pid()")[0]
          .as<std::string>();
  tx.exec("SELECT pg_advisory_lock(7883946363647715695)");

  const std::string held_by = "held by pid " + pid + " (lock holder test), connected since ";
  const std::string error = error_of([&] { p.db.upgrade(); });
  CHECK_THAT(error, StartsWith("gave up after 0.5 s waiting for the migration lock on " +
                               p.app.database_url().database() + ", " + held_by));
  CHECK_THAT(error, EndsWith("s ago): wait until that command ends (or stop it: SELECT "
                             "pg_terminate_backend(PID) in psql) and run this one again"));
  CHECK_THAT(p.take(),
             StartsWith("Waiting for the migration lock on " + p.app.database_url().database() +
                        ": pid " + pid + " (lock holder test), connected since "));
  CHECK_THAT(error_of([&] { p.db.stamp("head"); }), StartsWith("gave up after 0.5 s"));
  CHECK(p.scalar("SELECT to_regclass('t') IS NULL") == "t");

  tx.exec("SELECT pg_advisory_unlock(7883946363647715695)");
  p.take();
  p.db.upgrade();
  CHECK(p.take() == "Running upgrade  -> " + p.db.applied()[0].revision + ", t\n");
  // The lock is the working session's, and released after the command.
  CHECK(tx.exec1("SELECT pg_try_advisory_lock(7883946363647715695)")[0].as<bool>());
}

namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

// Runs a shell command; its standard output.
std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  REQUIRE(::pclose(pipe) == 0);
  return out;
}

// pg_dump --schema-only of `url` without the history table and without the random key of
// \restrict / \unrestrict lines.
std::string schema_of(const orm::DatabaseUrl& url) {
  const std::string dump =
      shell(kBin + "pg_dump --schema-only --no-owner -T public.migration_history '" +
            url.uri_with_password() + "'");
  std::string out;
  std::istringstream lines(dump);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a pg_dump --schema-only baseline applies as psql -1 -f applies it", "[dump][issue18]") {
  // A schema with what real ones have: extensions, enums, domains, sequences, identity columns,
  // functions with dollar quotes, BEGIN ATOMIC, triggers, views, rules, comments.
  const orm::DatabaseUrl source = testing_support::scratch_database("dump_source");
  orm::Database db(source);
  pqxx::nontransaction(db.connection()).exec(R"sql(
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN isbn AS text CHECK (VALUE ~ '^[0-9-]{10,17}$');
CREATE SEQUENCE ticket_seq START 100 INCREMENT 5;
CREATE TABLE authors (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name citext NOT NULL
  UNIQUE, extra hstore, mood mood DEFAULT 'ok');
CREATE TABLE books (id serial PRIMARY KEY, author_id integer REFERENCES authors ON DELETE CASCADE,
  title text NOT NULL CHECK (title <> ''), isbn isbn, ticket integer DEFAULT nextval('ticket_seq'),
  updated timestamptz);
CREATE INDEX books_title ON books (lower(title));
CREATE TABLE log (what text, at timestamptz DEFAULT now());
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  NEW.updated := now();  -- a comment; with a semicolon
  RAISE NOTICE $$touched %$$, NEW.title;
  RETURN NEW;
END;
$body$;
CREATE TRIGGER books_touch BEFORE INSERT OR UPDATE ON books FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION title_count(a integer) RETURNS bigint LANGUAGE sql
  BEGIN ATOMIC SELECT count(*) FROM books WHERE author_id = a; END;
CREATE VIEW author_titles AS SELECT a.name, b.title FROM authors a JOIN books b ON b.author_id = a.id;
CREATE RULE books_log AS ON DELETE TO books DO ALSO (
  INSERT INTO log (what) VALUES ('deleted ' || OLD.title);
  INSERT INTO log (what) VALUES ('still; here'));
COMMENT ON TABLE books IS 'the books; all of them';
)sql");
  const std::string dump =
      shell(kBin + "pg_dump --schema-only '" + source.uri_with_password() + "'");
  REQUIRE_THAT(dump, Contains("\n\\restrict "));  // pg_dump 15.14 and later

  // The same dump: once as a baseline revision, once through psql -1 -f.
  Project p;
  orm::migrate::RevisionDraft draft;
  draft.id = "baseline0001";
  draft.message = "baseline from pg_dump";
  draft.create_date = orm::migrate::create_date_now();
  draft.upgrade_body = dump;
  draft.downgrade_body = "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n";
  orm::migrate::ScriptDirectory::load(p.directory).write(draft);
  p.db.upgrade();
  CHECK(p.db.current() == "baseline0001");

  const orm::DatabaseUrl by_psql = testing_support::scratch_database("dump_psql");
  write(p.directory / "dump.sql", dump);
  shell(kBin + "psql -X -q -1 -v ON_ERROR_STOP=1 -d '" + by_psql.uri_with_password() + "' -f " +
        (p.directory / "dump.sql").string());

  const std::string by_engine = schema_of(p.app.database_url());
  CHECK(by_engine == schema_of(by_psql));
  CHECK_THAT(by_engine, Contains("CREATE FUNCTION public.title_count(a integer) RETURNS bigint"));
  CHECK_THAT(by_engine, Contains("CREATE RULE books_log AS"));
}
