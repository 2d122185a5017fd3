// Do not change this file: it checks the migrations (label: migrate).
//
// Branches and merge revisions (issue 14), against a real PostgreSQL: `db merge`, upgrade and
// downgrade across merge points, history/current/show with several heads, a history table made
// before merges existed, and `db check --roundtrip` on its scratch database.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "models.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "orm/server.hpp"
#include "project.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::StartsWith;
using namespace migrate_models;
using namespace migrate_testing;

namespace {

// Writes revision `id` (creating table `table`) after `revises` ("" for base, "a, b" for a merge).
fs::path add(const Project& p, const std::string& id, const std::string& revises,
             const std::string& table, const std::string& date) {
  return orm::migrate::ScriptDirectory::load(p.directory)
      .write(draft(id, revises, "adds " + table, "2026-01-01 10:00:0" + date + ".000000",
                   "CREATE TABLE " + table + " (x integer);\n", "DROP TABLE " + table + ";\n"));
}

// The tables t1..t9 that exist, comma-separated.
std::string tables(Project& p) {
  return p.scalar(
      "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class "
      "WHERE relname ~ '^t[0-9]$' AND relkind = 'r'");
}

std::string applied_ids(Project& p) {
  return p.scalar(
      "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM "
      "public.migration_history");
}

// A: t1; B: t2 and C: t3 both revise A (two heads).
struct Fork {
  Project p;
  fs::path c_file;
  Fork() {
    add(p, "aaaa00000001", "", "t1", "1");
    add(p, "bbbb00000002", "aaaa00000001", "t2", "2");
    c_file = add(p, "cccc00000003", "aaaa00000001", "t3", "3");
  }
};

// The scratch database `db check --roundtrip` makes for `p` in this process, and whether it exists.
std::string roundtrip_database(Project& p) {
  const std::string suffix = "_roundtrip_" + std::to_string(::getpid());
  return p.app.database_url().database().substr(0, 63 - suffix.size()) + suffix;
}
bool roundtrip_database_exists(Project& p) {
  return p.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + roundtrip_database(p) +
                  "'") != "0";
}

}  // namespace

TEST_CASE("two heads: upgrade refuses and suggests db merge; db merge joins them",
          "[merge][heads]") {
  Fork f;
  Project& p = f.p;
  p.db.upgrade("bbbb00000002");  // my branch, applied before the teammate's pull
  CHECK(tables(p) == "t1,t2");
  p.take();

  const std::string refused = error_of([&] { p.db.upgrade(); });
  CHECK(refused == "multiple heads in " + (p.directory / "versions").string() +
                       ": bbbb00000002 (adds t2), cccc00000003 (adds t3). Join them: "
                       "`hello_books db merge` writes a merge revision that follows both; or "
                       "make one branch follow the other: set 'Revises: bbbb00000002' in " +
                       f.c_file.string() +
                       " (if that revision is applied to a database, downgrade the database "
                       "below it first)");
  CHECK(tables(p) == "t1,t2");
  p.db.heads();
  CHECK(p.take() == "bbbb00000002 (head)\ncccc00000003 (head)\n");

  const fs::path merge = p.db.merge("");
  const std::string id = id_of(merge);
  CHECK(p.take() == "Generating " + merge.string() + " ...  done\n");
  CHECK(merge.filename().string() == id + "_merges_bbbb00000002_and_cccc00000003.sql");
  CHECK_THAT(read(merge),
             StartsWith("-- merges bbbb00000002 and cccc00000003\n--\n-- Revision ID: " + id +
                        "\n-- Revises: bbbb00000002, cccc00000003\n"));

  p.db.upgrade();
  CHECK(p.take() ==
        "Running upgrade aaaa00000001 -> cccc00000003, adds t3\n"
        "Running upgrade bbbb00000002, cccc00000003 -> " +
            id + ", merges bbbb00000002 and cccc00000003\n");
  CHECK(tables(p) == "t1,t2,t3");
  CHECK(p.db.current() == id);
  CHECK(p.take() == id + " (head)\n");
  p.db.history();
  CHECK(p.take() == "bbbb00000002, cccc00000003 -> " + id +
                        " (head) (current) (mergepoint), merges bbbb00000002 and cccc00000003\n"
                        "aaaa00000001 -> cccc00000003, adds t3\n"
                        "aaaa00000001 -> bbbb00000002, adds t2\n"
                        "<base> -> aaaa00000001 (branchpoint), adds t1\n");
  p.db.show(id);
  CHECK_THAT(p.take(), StartsWith("Rev: " + id +
                                  " (head) (mergepoint)\n"
                                  "Merges: bbbb00000002, cccc00000003\nPath: "));
  p.db.show("aaaa00000001");
  CHECK_THAT(p.take(), StartsWith("Rev: aaaa00000001 (branchpoint)\nParent: <base>\n"
                                  "Branches into: bbbb00000002, cccc00000003\nPath: "));

  // The merge revision's row names both parents in the one down_revision column.
  CHECK(p.scalar("SELECT down_revision FROM migration_history WHERE revision = '" + id + "'") ==
        "bbbb00000002, cccc00000003");
  const auto rows = p.db.applied();
  REQUIRE(rows.size() == 4);
  CHECK(rows.back().down_revisions == std::vector<std::string>{"bbbb00000002", "cccc00000003"});

  // One head now: nothing to merge, and nothing written.
  CHECK(error_of([&] { p.db.merge("again"); }) ==
        "nothing to merge: there is one head, " + id +
            " (merges bbbb00000002 and cccc00000003); a merge revision joins two or more heads "
            "(see `hello_books db heads`)");
  CHECK(p.revision_files() == 4);
  // A new revision follows the merge.
  const std::string next =
      p.hand_revision("after", "CREATE TABLE t4 (x integer);\n", "DROP TABLE t4;\n");
  CHECK_THAT(read(p.file_of(next)), Contains("\n-- Revises: " + id + "\n"));
}

TEST_CASE("re-parenting the revision not applied yet also joins two heads", "[merge][heads]") {
  Fork f;
  Project& p = f.p;
  p.db.upgrade("cccc00000003");  // this database applied the other branch: advise moving B
  const fs::path b_file = p.file_of("bbbb00000002");
  CHECK_THAT(error_of([&] { p.db.upgrade(); }),
             Contains("set 'Revises: cccc00000003' in " + b_file.string()));
  std::string text = read(b_file);
  text.replace(text.find("-- Revises: aaaa00000001"), 24, "-- Revises: cccc00000003");
  write(b_file, text);
  p.take();
  p.db.upgrade();
  CHECK(p.take() == "Running upgrade cccc00000003 -> bbbb00000002, adds t2\n");
  CHECK(tables(p) == "t1,t2,t3");
  // Re-parenting an applied revision instead is refused: its checksum changed.
  const fs::path c_file = p.file_of("cccc00000003");
  text = read(c_file);
  text.replace(text.find("-- Revises: aaaa00000001"), 24, "-- Revises:");
  write(c_file, text);
  CHECK(error_of([&] { p.db.upgrade(); }) ==
        c_file.string() +
            ": the 'Revises:' line of revision cccc00000003 changed after this database applied it "
            "('Revises: aaaa00000001' then, 'Revises: (nothing: base)' now): re-parenting moves "
            "only revisions no database has applied; put 'Revises: aaaa00000001' back");
  // Put back, the file matches what was applied again.
  text.replace(text.find("-- Revises:\n"), 12, "-- Revises: aaaa00000001\n");
  write(c_file, text);
  p.take();
  p.db.upgrade();
  CHECK(p.take().empty());
}

TEST_CASE("downgrading below a merge point reverts only what depends on it", "[merge][downgrade]") {
  Fork f;
  Project& p = f.p;
  const std::string m = id_of(p.db.merge("joins"));
  p.db.upgrade();
  p.take();

  // Down to one parent: the merge goes, both branches stay (Alembic's rule).
  p.db.downgrade("bbbb00000002");
  CHECK(p.take() == "Running downgrade " + m + " -> bbbb00000002, cccc00000003, joins\n");
  CHECK(tables(p) == "t1,t2,t3");
  p.db.current();
  CHECK(p.take() == "bbbb00000002\ncccc00000003\n");
  // -1 with two applied heads: the one applied last.
  p.db.downgrade("-1");
  CHECK(p.take() == "Running downgrade cccc00000003 -> aaaa00000001, adds t3\n");
  CHECK(applied_ids(p) == "aaaa00000001,bbbb00000002");
  // Up to the merge: the missing parent first.
  p.db.upgrade(m);
  CHECK(p.take() ==
        "Running upgrade aaaa00000001 -> cccc00000003, adds t3\n"
        "Running upgrade bbbb00000002, cccc00000003 -> " +
            m + ", joins\n");
  // -2 from the merge: the merge, then the parent applied last.
  p.db.downgrade("-2");
  CHECK(p.take() == "Running downgrade " + m +
                        " -> bbbb00000002, cccc00000003, joins\n"
                        "Running downgrade cccc00000003 -> aaaa00000001, adds t3\n");
  // +N walks towards head in order.
  p.db.upgrade("+1");
  CHECK(p.take() == "Running upgrade aaaa00000001 -> cccc00000003, adds t3\n");
  p.db.upgrade("+1");
  CHECK(p.take() == "Running upgrade bbbb00000002, cccc00000003 -> " + m + ", joins\n");
  CHECK(error_of([&] { p.db.upgrade("+1"); }) ==
        "upgrade +1 goes past head: the database is at " + m +
            " and 0 revision(s) are not applied yet; run `hello_books db upgrade` to apply them "
            "all");
  // Down to the branch point: everything after it.
  p.db.downgrade("aaaa00000001");
  CHECK(p.take() == "Running downgrade " + m +
                        " -> bbbb00000002, cccc00000003, joins\n"
                        "Running downgrade cccc00000003 -> aaaa00000001, adds t3\n"
                        "Running downgrade bbbb00000002 -> aaaa00000001, adds t2\n");
  CHECK(tables(p) == "t1");
  // One branch only, then the rest.
  p.db.upgrade("cccc00000003");
  CHECK(tables(p) == "t1,t3");
  CHECK(error_of([&] { p.db.downgrade("bbbb00000002"); }) ==
        "revision bbbb00000002 is not applied yet (the database is at cccc00000003): to go "
        "forward to it, run `hello_books db upgrade bbbb00000002`");
  p.db.upgrade();
  CHECK(tables(p) == "t1,t2,t3");
  CHECK(error_of([&] { p.db.upgrade("cccc00000003"); }) ==
        "revision cccc00000003 is older than the database's revision " + m +
            ": to go back to it, run `hello_books db downgrade cccc00000003`");
  p.db.downgrade("base");
  CHECK(tables(p) == "");
  CHECK(applied_ids(p) == "");
}

TEST_CASE("a three-way merge, and a merge of a merge", "[merge]") {
  Project p;
  add(p, "aaaa00000001", "", "t1", "1");
  add(p, "bbbb00000002", "aaaa00000001", "t2", "2");
  add(p, "cccc00000003", "aaaa00000001", "t3", "3");
  add(p, "dddd00000004", "aaaa00000001", "t4", "4");
  const fs::path three = p.db.merge("");
  const std::string m1 = id_of(three);
  CHECK_THAT(read(three), StartsWith("-- merges 3 heads\n--\n-- Revision ID: " + m1 +
                                     "\n-- Revises: bbbb00000002, cccc00000003, dddd00000004\n"));
  p.db.upgrade();
  CHECK(tables(p) == "t1,t2,t3,t4");
  p.db.downgrade("cccc00000003");
  CHECK(applied_ids(p) == "aaaa00000001,bbbb00000002,cccc00000003,dddd00000004");
  p.db.upgrade();

  // A branch from before the merge, then a merge of the merge and that branch.
  add(p, "eeee00000005", "bbbb00000002", "t5", "5");
  const std::string m2 = id_of(p.db.merge("second merge", {"heads"}));
  p.take();
  p.db.history();
  CHECK_THAT(p.take(), StartsWith("eeee00000005, " + m1 + " -> " + m2 +
                                  " (head) (mergepoint), second merge\n"));
  p.db.upgrade();
  CHECK(p.take() ==
        "Running upgrade bbbb00000002 -> eeee00000005, adds t5\n"
        "Running upgrade eeee00000005, " +
            m1 + " -> " + m2 + ", second merge\n");
  CHECK(tables(p) == "t1,t2,t3,t4,t5");
  // Down to B: everything that follows B (both merges, E), not C and D.
  p.db.downgrade("bbbb00000002");
  CHECK(p.take() == "Running downgrade " + m2 + " -> eeee00000005, " + m1 +
                        ", second merge\n"
                        "Running downgrade eeee00000005 -> bbbb00000002, adds t5\n"
                        "Running downgrade " +
                        m1 + " -> bbbb00000002, cccc00000003, dddd00000004, merges 3 heads\n");
  CHECK(tables(p) == "t1,t2,t3,t4");
  p.db.current();
  CHECK(p.take() == "bbbb00000002\ncccc00000003\ndddd00000004\n");
  // base and back, and the printed SQL of the whole graph runs the same way.
  p.db.downgrade("base");
  CHECK(tables(p) == "");
  std::ostringstream sql;
  orm::migrate::Migrations offline(p.app, sql, orm::migrate::Settings{p.directory, "hello_books"});
  offline.upgrade_sql("head");
  p.exec("DROP TABLE migration_history");
  p.exec(sql.str());
  CHECK(tables(p) == "t1,t2,t3,t4,t5");
  CHECK(p.db.current() == m2);
  sql.str("");
  offline.downgrade_sql("head:bbbb00000002");
  p.exec(sql.str());
  CHECK(applied_ids(p) == "aaaa00000001,bbbb00000002,cccc00000003,dddd00000004");
}

TEST_CASE("db merge refuses what joins nothing, and joins only the revisions named",
          "[merge][errors]") {
  Project p;
  CHECK(error_of([&] { p.db.merge(""); }) == "no revisions yet in " +
                                                 (p.directory / "versions").string() +
                                                 ": there is nothing to merge");
  add(p, "aaaa00000001", "", "t1", "1");
  CHECK(error_of([&] { p.db.merge(""); }) ==
        "nothing to merge: there is one head, aaaa00000001 (adds t1); a merge revision joins "
        "two or more heads (see `hello_books db heads`)");
  add(p, "bbbb00000002", "aaaa00000001", "t2", "2");
  add(p, "cccc00000003", "aaaa00000001", "t3", "3");
  add(p, "dddd00000004", "aaaa00000001", "t4", "4");
  CHECK(error_of([&] {
          p.db.merge("", {"aaaa00000001", "bbbb00000002"});
        }) ==
        "merge: aaaa00000001 is already in the history of bbbb00000002: merge revisions of "
        "different branches (see `hello_books db heads`)");
  CHECK(error_of([&] { p.db.merge("", {"bbbb"}); }) ==
        "nothing to merge: only one revision given, bbbb00000002 (adds t2); a merge revision "
        "joins two or more heads (see `hello_books db heads`)");
  CHECK_THAT(error_of([&] {
               p.db.merge("", {"base", "bbbb"});
             }),
             StartsWith("merge base: name the revisions to join"));
  CHECK_THAT(error_of([&] { p.db.merge("", {"+1"}); }),
             StartsWith("merge +1: name the revisions to join"));
  CHECK_THAT(error_of([&] { p.db.merge("", {"ffff"}); }), StartsWith("no revision 'ffff'"));
  CHECK(p.revision_files() == 4);

  const std::string m = id_of(p.db.merge("two of three", {"cccc", "bbbb00000002"}));
  p.take();
  p.db.heads();
  CHECK(p.take() == "dddd00000004 (head)\n" + m + " (head)\n");
  CHECK_THAT(read(p.file_of(m)), Contains("\n-- Revises: bbbb00000002, cccc00000003\n"));
  // `heads` as a target applies every branch; `head` still refuses.
  CHECK_THAT(error_of([&] { p.db.upgrade("head"); }), StartsWith("multiple heads in "));
  p.db.upgrade("heads");
  CHECK(tables(p) == "t1,t2,t3,t4");
  p.take();
  p.db.current();
  CHECK(p.take() == "dddd00000004 (head)\n" + m + " (head)\n");
}

TEST_CASE("a history table made before merges existed upgrades and merges", "[merge][compat]") {
  Project p;
  add(p, "aaaa00000001", "", "t1", "1");
  add(p, "bbbb00000002", "aaaa00000001", "t2", "2");
  // The table and rows exactly as the engine before merges wrote them (commit da2501a).
  p.exec(
      "CREATE TABLE IF NOT EXISTS public.migration_history (\n"
      "    revision text PRIMARY KEY,\n"
      "    down_revision text,\n"
      "    message text NOT NULL,\n"
      "    checksum text NOT NULL,\n"
      "    applied_at timestamp with time zone NOT NULL DEFAULT now(),\n"
      "    duration_ms double precision\n"
      ");\nCREATE TABLE t1 (x integer); CREATE TABLE t2 (x integer);");
  const auto sum = [&](const std::string& id) {
    return orm::migrate::sha256_hex(read(p.file_of(id)));
  };
  p.exec(
      "INSERT INTO public.migration_history (revision, down_revision, message, checksum)\n"
      "VALUES ('aaaa00000001', NULL, 'adds t1', '" +
      sum("aaaa00000001") + "')");
  p.exec(
      "INSERT INTO public.migration_history (revision, down_revision, message, checksum)\n"
      "VALUES ('bbbb00000002', 'aaaa00000001', 'adds t2', '" +
      sum("bbbb00000002") + "')");
  CHECK(p.db.current() == "bbbb00000002");
  add(p, "cccc00000003", "aaaa00000001", "t3", "3");
  const std::string m = id_of(p.db.merge(""));
  p.take();
  p.db.upgrade();
  CHECK(p.take() ==
        "Running upgrade aaaa00000001 -> cccc00000003, adds t3\n"
        "Running upgrade bbbb00000002, cccc00000003 -> " +
            m + ", merges bbbb00000002 and cccc00000003\n");
  p.db.downgrade("base");
  CHECK(tables(p) == "");
}

TEST_CASE("check --roundtrip passes good migrations with a merge, on a scratch database",
          "[roundtrip]") {
  Project p;
  p.use<Book>();
  const std::string books = id_of(*p.db.migrate("adds Book model"));
  p.db.upgrade();
  p.use<Author, Book>();
  const std::string authors = id_of(*p.db.migrate("adds authors"));
  p.db.upgrade();
  p.use<Author, BookWithAuthor>();
  const fs::path author_column = *p.db.migrate("adds author");
  // A teammate's branch: the author column written after `books`, beside `authors`.
  std::string text = read(author_column);
  text.replace(text.find("-- Revises: " + authors), 24, "-- Revises: " + books);
  write(author_column, text);
  p.db.merge("joins");
  p.take();
  const std::string history = applied_ids(p);

  CHECK(p.db.roundtrip());
  const std::string scratch = roundtrip_database(p);
  CHECK(p.take() == "Round trip of 4 revision(s) on the scratch database " + scratch +
                        ": upgrade base -> head, downgrade to base, upgrade again\n"
                        "Round trip OK: every downgrade undoes the schema changes of its upgrade, "
                        "and head matches the models (on empty tables: what a revision does to "
                        "rows is not tested).\n");
  // The scratch database is gone, and the app's own database was not touched.
  CHECK_FALSE(roundtrip_database_exists(p));
  CHECK(applied_ids(p) == history);
}

TEST_CASE("check --roundtrip makes its scratch database in the checked database's tablespace",
          "[roundtrip]") {
  Project p;
  p.use<Book>();
  const std::string books = id_of(*p.db.migrate("adds Book model"));
  const std::string tablespace_sql =
      "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace "
      "WHERE d.datname = current_database()";
  // On the workbook's cluster the suite's databases live in its tmpfs tablespace (see
  // cluster_access_test), so this compares two places, not pg_default with itself.
  const std::string checked = p.scalar(tablespace_sql);
  // A revision that fails on a database that lives anywhere else.
  orm::migrate::ScriptDirectory::load(p.directory)
      .write(draft("bbbb00000002", books, "checks where it runs", "2030-01-01 10:00:00.000000",
                   "DO $$BEGIN IF (" + tablespace_sql + ") <> '" + checked +
                       "' THEN RAISE EXCEPTION 'scratch database in %', (" + tablespace_sql +
                       "); END IF; END$$;\n",
                   "SELECT 1;\n"));
  p.take();
  CHECK(p.db.roundtrip());
  CHECK_THAT(p.take(), Contains("\nRound trip OK: "));
  CHECK_FALSE(roundtrip_database_exists(p));
}

TEST_CASE("check --roundtrip names the revision whose downgrade does not undo its upgrade",
          "[roundtrip][errors]") {
  Project p;
  p.use<Book>();
  const std::string books = id_of(*p.db.migrate("adds Book model"));
  const auto scripts = orm::migrate::ScriptDirectory::load(p.directory);
  const fs::path leaky =
      scripts.write(draft("bbbb00000002", books, "indexes titles", "2030-01-01 10:00:00.000000",
                          "CREATE INDEX books_title ON books (title);\n"
                          "ALTER TABLE books ADD COLUMN note text;\n"
                          "ALTER TABLE books ALTER COLUMN description SET DEFAULT 'none';\n",
                          "ALTER TABLE books DROP COLUMN note;\n"));
  p.take();
  CHECK_FALSE(p.db.roundtrip());
  const std::string out = p.take();
  CHECK_THAT(out,
             Contains("\nafter the first upgrade to head the schema differs from the models: "));
  CHECK_THAT(out,
             Contains("\nbbbb00000002 (indexes titles): its downgrade does not undo its upgrade: "
                      "it leaves column public.books.description text DEFAULT 'none'::text; "
                      "index CREATE INDEX books_title ON public.books USING btree (title), and "
                      "does not bring back column public.books.description text (fix the "
                      "downgrade section of " +
                      leaky.string() + ")\n"));
  CHECK_THAT(out, Contains("\nRound trip found "));
  CHECK_FALSE(roundtrip_database_exists(p));

  // A downgrade that fails ends the round trip, and the scratch database still goes.
  write(leaky,
        render_revision(draft("bbbb00000002", books, "indexes titles", "2030-01-01 10:00:00.000000",
                              "CREATE TABLE t9 (x integer);\n", "DROP TABLE t8;\n")));
  CHECK_FALSE(p.db.roundtrip());
  CHECK_THAT(
      p.take(),
      Contains("\nthe downgrade of bbbb00000002 (indexes titles) failed: " + leaky.string() + ":"));
  CHECK_FALSE(roundtrip_database_exists(p));
}
