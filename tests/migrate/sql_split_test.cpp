// Splitting real-world revision SQL (issues 11 and 18), no server needed: what PostgreSQL's
// parser keeps whole, what psql handles itself (COPY rows, backslash commands), and the errors
// that name the line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "orm/migrate.hpp"

using Catch::Contains;
using Catch::StartsWith;
using orm::migrate::parse_revision;
using orm::migrate::split_sql;
using orm::migrate::SqlSplitError;

namespace {

std::vector<std::string> sqls(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& statement : split_sql(text)) out.push_back(statement.sql);
  return out;
}

std::string split_error(const std::string& text) {
  try {
    split_sql(text, 10);
  } catch (const SqlSplitError& e) {
    return e.what();
  }
  FAIL("expected a SqlSplitError");
  return {};
}

std::string revision_error(const std::string& text) {
  try {
    parse_revision(text, "versions/x.sql");
  } catch (const orm::migrate::MigrationError& e) {
    return e.what();
  }
  FAIL("expected a MigrationError");
  return {};
}

}  // namespace

TEST_CASE("dollar quotes keep their semicolons, with and without tags, nested", "[split]") {
  const auto statements = sqls(
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\n"
      "BEGIN\n"
      "  EXECUTE $q$SELECT ';'$q$;  -- an inner dollar quote\n"
      "  RETURN $$a;b$$;\n"
      "END;\n"
      "$fn$;\n"
      "SELECT 1 AS a$b;\n"  // $ inside a name starts no quote
      "DO $$ BEGIN PERFORM 1; END $$;\n");
  REQUIRE(statements.size() == 3);
  CHECK_THAT(statements[0], StartsWith("CREATE FUNCTION f()"));
  CHECK_THAT(statements[0], Contains("RETURN $$a;b$$;\nEND;\n$fn$"));
  CHECK(statements[2] == "DO $$ BEGIN PERFORM 1; END $$");
}

TEST_CASE("nested comments, E'' strings, U&'' strings and quoted names hide semicolons",
          "[split]") {
  const auto statements = sqls(
      "/* outer; /* inner; */ still; */ SELECT 1;\n"
      "SELECT E'it\\'s; here', e'\\\\';\n"
      "SELECT U&'\\0041;' AS \"semi;colon\";\n"
      "SELECT 'plain ''quote''; here';\n");
  REQUIRE(statements.size() == 4);
  CHECK(statements[0] == "SELECT 1");
  CHECK(statements[1] == "SELECT E'it\\'s; here', e'\\\\'");
  CHECK(statements[2] == "SELECT U&'\\0041;' AS \"semi;colon\"");
  CHECK(statements[3] == "SELECT 'plain ''quote''; here'");
}

TEST_CASE("BEGIN ATOMIC bodies and CREATE RULE ... DO ALSO (...; ...) stay one statement",
          "[split]") {
  const auto statements = split_sql(
      "CREATE FUNCTION add(a integer, b integer) RETURNS integer\n"  // line 1
      "    LANGUAGE sql\n"
      "    BEGIN ATOMIC\n"
      "      SELECT a + b;\n"
      "      SELECT a - b;\n"
      "    END;\n"
      "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n"  // 7
      "CREATE RULE log_books AS ON INSERT TO books DO ALSO (\n"                          // 8
      "    INSERT INTO log VALUES ('a');\n"
      "    INSERT INTO log VALUES ('b');\n"
      ");\n"
      "SELECT 1;\n");  // 12
  REQUIRE(statements.size() == 4);
  CHECK_THAT(statements[0].sql, StartsWith("CREATE FUNCTION add"));
  CHECK_THAT(statements[0].sql, Contains("SELECT a - b;\n    END"));
  CHECK(statements[1].line == 7);
  CHECK(statements[1].sql ==
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END");
  CHECK(statements[2].line == 8);
  CHECK_THAT(statements[2].sql, Contains("INSERT INTO log VALUES ('b');\n)"));
  CHECK(statements[3].line == 12);

  // A revision with them parses: no "remove this END".
  const auto revision = parse_revision(
      "-- Revision ID: a1\n-- === upgrade ===\n"
      "CREATE FUNCTION one() RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n"
      "-- === downgrade ===\nDROP FUNCTION one();\n",
      "x.sql");
  CHECK(revision.upgrade.size() == 1);
}

TEST_CASE("COPY FROM stdin takes its rows up to \\. and the statements after it go on",
          "[split][copy]") {
  const auto statements = split_sql(
      "CREATE TABLE t (id integer, name text);\n"  // 1
      "COPY public.t (id, name) FROM stdin;\n"     // 2
      "1\tO'Brien; DROP TABLE t;\n"
      "2\t\\N\n"
      "\\N\t$$ /* not a comment\n"
      "\\.\n"
      "COPY t FROM STDIN WITH (FORMAT csv);\n"  // 7
      "3,\"a \"\"quoted\"\" name\"\n"
      "\\.\n"
      "COPY t FROM stdin;\n"  // 10: no rows
      "\\.\n"
      "SELECT count(*) FROM t;\n",  // 12
      1);
  REQUIRE(statements.size() == 5);
  CHECK(statements[1].sql == "COPY public.t (id, name) FROM stdin");
  CHECK(statements[1].line == 2);
  REQUIRE(statements[1].copy_data);
  CHECK(*statements[1].copy_data ==
        "1\tO'Brien; DROP TABLE t;\n2\t\\N\n\\N\t$$ /* not a comment\n");
  CHECK(statements[2].line == 7);
  REQUIRE(statements[2].copy_data);
  CHECK(*statements[2].copy_data == "3,\"a \"\"quoted\"\" name\"\n");
  CHECK(statements[3].line == 10);
  CHECK(statements[3].copy_data == std::string());
  CHECK(statements[4].sql == "SELECT count(*) FROM t");
  CHECK(statements[4].line == 12);
  CHECK_FALSE(statements[0].copy_data);
  CHECK_FALSE(statements[4].copy_data);

  // COPY TO, COPY FROM a file or a program: ordinary statements, no rows taken.
  const auto others = split_sql("COPY t TO stdout;\nCOPY t FROM '/tmp/x';\nSELECT 1;\n");
  REQUIRE(others.size() == 3);
  CHECK_FALSE(others[0].copy_data);
  CHECK_FALSE(others[1].copy_data);

  CHECK(split_error("COPY t FROM stdin;\n1\n2\n") ==
        "line 10: COPY ... FROM stdin has no line '\\.' after its rows: end the rows with a "
        "line holding only \\.");
  // Found by fuzz_sql_split: a COPY at the very end, without ; (threw std::out_of_range).
  CHECK(split_error("SELECT 1;\nCOPY t FROM stdin") ==
        "line 11: COPY ... FROM stdin: end it with ; and put its rows on the lines after the "
        "statement, then a line holding only \\.");
  CHECK_THAT(split_error("COPY t FROM stdin; 1\n\\.\n"),
             StartsWith("line 10: COPY ... FROM stdin: put its rows on the lines after"));
}

TEST_CASE("psql commands: the ones pg_dump writes are skipped, others refused with the line",
          "[split][psql]") {
  const auto statements = split_sql(
      "\\restrict aBcD1234\n"
      "SET statement_timeout = 0;\n"
      "SELECT pg_catalog.set_config('search_path', '', false);\n"
      "\\unrestrict aBcD1234\n",
      5);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].line == 6);
  CHECK(statements[1].line == 7);

  CHECK(split_error("SELECT 1;\n\\connect other\n") ==
        "line 11: psql command \\connect is not supported in a revision: remove it: a revision "
        "runs on the database of the URL (split a dump of several databases into one migrations "
        "folder per database)");
  CHECK_THAT(split_error("\\i other.sql\n"),
             StartsWith("line 10: psql command \\i is not supported in a revision: paste the SQL"));
  CHECK_THAT(split_error("\\set ON_ERROR_STOP on\nSELECT 1;"),
             StartsWith("line 10: psql command \\set is not supported"));
  CHECK_THAT(split_error("SELECT 1;\n\n\\.\n"),
             StartsWith("line 12: psql command \\. is not supported in a revision: remove it, or "
                        "put a COPY ... FROM stdin; statement before"));
  CHECK_THAT(split_error("SELECT 1 \\gset\n"),
             StartsWith("line 10: psql command \\gset inside a statement: end the statement"));
  // A backslash inside a string or a dollar quote is not a command.
  CHECK(sqls("SELECT '\\connect x';\nDO $$\n\\n\n$$;\n").size() == 2);
}

TEST_CASE("unterminated quotes and comments are refused with the line where they start",
          "[split][errors]") {
  CHECK(split_error("SELECT 1;\nSELECT E'open\\';\n") ==
        "line 11: unterminated quoted string: close it with '");
  CHECK(split_error("SELECT $body$ x;\n") ==
        "line 10: unterminated dollar-quoted string: close it with $body$");
  CHECK(split_error("SELECT 1; /* a /* b */\n") ==
        "line 10: unterminated /* comment: close it with */");
  CHECK(split_error("\n\nSELECT \"open\n") ==
        "line 12: unterminated quoted identifier: close it with \"");
}

TEST_CASE("SQL the grammar does not take goes to the server as one statement at its line",
          "[split]") {
  const auto statements = split_sql("SELECT 1;\n\nCREATE TABLE (x;\nSELECT 2;\n", 1);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].sql == "SELECT 1");
  CHECK(statements[1].line == 3);
  CHECK(statements[1].sql == "CREATE TABLE (x;\nSELECT 2;");
}

TEST_CASE("white space alone is no statement, also a vertical tab (found by fuzz_sql_split)",
          "[split]") {
  CHECK(sqls("\v").empty());
  CHECK(sqls(" \v\f\n").empty());
  CHECK(sqls("SELECT 1;\v").size() == 1);
}

TEST_CASE("comments after a statement's last token are not part of it", "[split]") {
  const auto statements = sqls(
      "SELECT 1 -- note; with a semicolon\n;\n"
      "SELECT '--not a comment' /* trailing */ ;\n"
      "SELECT 2 -- last, no semicolon\n-- and more\n");
  REQUIRE(statements.size() == 3);
  CHECK(statements[0] == "SELECT 1");
  CHECK(statements[1] == "SELECT '--not a comment'");
  CHECK(statements[2] == "SELECT 2");
  CHECK(orm::migrate::with_semicolon("SELECT 1 -- x") == "SELECT 1 -- x\n;");
  CHECK(orm::migrate::with_semicolon("SELECT '--'") == "SELECT '--'\n;");
  CHECK(orm::migrate::with_semicolon("SELECT 1") == "SELECT 1;");
}

TEST_CASE("bytes that are not UTF-8, and NUL bytes, name the file and line", "[revision][errors]") {
  // In the header (the message goes into the history table) ...
  CHECK(revision_error("-- caf\xE9 au lait\n-- Revision ID: a1\n-- === upgrade ===\n"
                       "-- === downgrade ===\n") ==
        "versions/x.sql:1: byte 0xE9 is not UTF-8 (the file has another encoding, e.g. "
        "Latin-1): save it as UTF-8");
  CHECK(revision_error("-- msg\n-- Revision ID: a1\n-- Revises: \xC3\x28\n") ==
        "versions/x.sql:3: byte 0xC3 is not UTF-8 (the file has another encoding, e.g. Latin-1): "
        "save it as UTF-8");
  // ... and in the SQL.
  CHECK_THAT(revision_error("-- Revision ID: a1\n-- === upgrade ===\nSELECT 1;\nSELECT '\xFF';\n"
                            "-- === downgrade ===\n"),
             StartsWith("versions/x.sql:4: byte 0xFF is not UTF-8"));
  CHECK_THAT(revision_error(std::string("-- Revision ID: a1\n-- === upgrade ===\nSELECT '") + '\0' +
                            "';\n-- === downgrade ===\n"),
             StartsWith("versions/x.sql:3: a NUL byte"));
  // Overlong forms and surrogates are not UTF-8 either (PostgreSQL's rule).
  CHECK_THAT(split_error("SELECT '\xC0\xAF';"), StartsWith("line 10: byte 0xC0 is not UTF-8"));
  CHECK_THAT(split_error("SELECT '\xED\xA0\x80';"), StartsWith("line 10: byte 0xED is not UTF-8"));
  CHECK(sqls("SELECT 'caf\xC3\xA9', '\xF0\x9F\x93\x9A';").size() == 1);
}
