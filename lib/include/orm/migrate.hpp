/// @file
/// Migrations: versioned changes to the database schema, our Alembic / Flask-Migrate.
///
/// Everything `hello_books db ...` does is a member of orm::migrate::Migrations; the command line
/// (orm/cli.hpp) only parses arguments and calls it. This header includes the whole migration
/// side: revision files (orm/migrate/revision.hpp), the versions folder
/// (orm/migrate/script_directory.hpp), SQL splitting (orm/migrate/sql.hpp), errors
/// (orm/migrate/errors.hpp) and autogenerate (orm/migrate/autogenerate.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "orm/app.hpp"
#include "orm/migrate/autogenerate.hpp"
#include "orm/migrate/errors.hpp"
#include "orm/migrate/revision.hpp"
#include "orm/migrate/script_directory.hpp"
#include "orm/migrate/sql.hpp"

namespace orm::migrate {

/// @cond INTERNAL
namespace detail {
class HistorySql;
}
/// @endcond

/// The default name of the table that records applied revisions (Alembic's `alembic_version`).
inline constexpr const char* history_table = "migration_history";
/// The default schema of that table (Alembic's `version_table_schema`): none given, so the
/// schema current when a command starts (see Settings::history_schema).
inline constexpr const char* history_schema = "";

/// One row of the history table: a revision applied to this database.
struct AppliedRevision {
  std::string revision;  ///< the revision id
  /// The revisions it follows (empty for the first revision, several for a merge revision);
  /// the table's text column `down_revision` holds them as `Revises:` writes them ("a, b").
  std::vector<std::string> down_revisions;
  std::string message;                ///< the revision's message
  std::string checksum;               ///< SHA-256 of the file as it was applied (or accepted)
  std::string applied_at;             ///< e.g. "2026-11-24 19:18:18.16844+00"
  std::optional<double> duration_ms;  ///< empty for stamped revisions and `--sql` output
};

/// Where the migrations live, how the program is called in hints, and how the commands behave.
/// `Settings{"migrations", "hello_books"}` names the first two; set the others by name.
struct Settings {
  /// `directory` holds README and versions/; `program` is named in hints ("run `hello_books db
  /// ...`").
  Settings(std::filesystem::path directory = "migrations", std::string program = "hello_books")
      : directory(std::move(directory)), program(std::move(program)) {}

  std::filesystem::path directory;  ///< holds README and versions/
  std::string program;              ///< named in hints: "run `hello_books db ...`"
  /// The command lines the README of `db init` lists (orm::cli::command_list() fills it in); when
  /// empty, the README points to `<program> db --help`.
  std::string commands;
  /// The schema of the history table (Alembic's `version_table_schema`). Empty: the schema the
  /// connection's search_path makes current when the command starts (`current_schema()`, where
  /// Alembic's unqualified `alembic_version` goes too), usually `public`. Either way the table is
  /// written schema-qualified while revisions run, so a revision's `search_path` never moves it.
  /// The schema must exist; the table is created on the first upgrade, downgrade or stamp.
  /// Offline output (`--sql`) names it unqualified unless a schema is set here.
  std::string history_schema = migrate::history_schema;
  /// The history table's name (Alembic's `version_table`).
  std::string history_table = migrate::history_table;
  /// How long upgrade, downgrade and stamp wait for the migration lock another command holds;
  /// empty waits as long as it takes (`--lock-timeout SECONDS`).
  std::optional<double> lock_timeout_seconds;
};

/// What `db check` found.
struct CheckResult {
  bool matches = true;  ///< the models match the database
  /// What a generated revision would throw away, e.g. "drops column books.author" ("" when
  /// nothing): the reason to write that revision by hand.
  std::string data_loss;

  /// True when the models match the database (`if (db.check())`).
  explicit operator bool() const noexcept { return matches; }
};

/// The migration commands of an app: what `hello_books db <command>` runs.
///
/// Output goes to `out` in the style Alembic users know (`Running upgrade  -> 1a2b3c4d5e6f, adds
/// Book model`); failures throw orm::Error subclasses (MigrationError, ConnectionError, ...)
/// with one-line, password-free messages that name the fix.
///
/// Safety: each revision runs in its own transaction together with its history row; upgrade,
/// downgrade and stamp hold a PostgreSQL advisory lock on the connection that runs the
/// revisions, so concurrent runs apply every revision once and a command killed mid-revision
/// keeps the lock until the server has finished its work; migrate and revision hold a file lock
/// on versions/, so concurrent runs never write two revisions after one head; an applied revision
/// whose file changed is refused before anything runs (accept() takes the edit on purpose).
///
/// Session state: every revision starts from the state a new session has. Nothing a revision
/// sets carries over to the next one or to its history row: not `SET search_path` (or
/// `set_config(..., false)` as pg_dump writes it), not `SET ROLE` or `SET SESSION
/// AUTHORIZATION`, not any other setting, temporary table, cursor, LISTEN or sequence value.
/// (Only `ALTER ROLE/DATABASE ... SET` defaults, read when a session starts, are not re-read.)
/// So applying revisions in one command or one by one gives the same database, as psql gives
/// each file a session of its own.
///
/// @code
/// orm::App app = create_app(std::nullopt);
/// orm::migrate::Migrations db{app, std::cout};
/// db.init();                        // migrations/, migrations/versions/, migrations/README
/// db.migrate("adds Book model");    // compares the models with the database, writes a revision
/// db.upgrade();                     // Running upgrade  -> 1a2b3c4d5e6f, adds Book model
/// db.current();                     // 1a2b3c4d5e6f (head)
/// @endcode
class Migrations {
 public:
  /// Commands that need the database use `app` (its URL and its models).
  Migrations(App& app, std::ostream& out, Settings settings = {});
  /// `app` is called the first time a command needs the database or the models, so commands
  /// that work on files only (init, revision, heads, show, upgrade --sql) never build the app.
  Migrations(std::function<App&()> app, std::ostream& out, Settings settings = {});

  /// `db init`: creates the directory with versions/ and a README. Refuses when the directory
  /// exists and is not empty.
  void init();

  /// `db migrate -m MESSAGE`: compares the models with the database and writes a revision with
  /// the SQL between them. Returns the new file, or nothing (and prints "No changes in schema
  /// detected.") when they match. Refuses when the database is not at head.
  std::optional<std::filesystem::path> migrate(const std::string& message,
                                               const std::vector<std::string>& renames = {});
  /// `db revision -m MESSAGE`: writes an empty revision to fill in by hand.
  std::filesystem::path revision(const std::string& message);

  /// `db merge [-m MESSAGE] [REV...]`: writes a merge revision that follows REV... (default:
  /// every head; `heads` names them too), with no SQL, so the history has one head again.
  /// Refuses fewer than two revisions and a revision that is in another's history.
  std::filesystem::path merge(const std::string& message,
                              const std::vector<std::string>& revisions = {});

  /// `db upgrade [TARGET]`: applies the revisions TARGET needs that are not applied yet, each
  /// after every revision it revises: `head` (the default; refused when the history has several
  /// heads), `heads` (all of them), a full or unique partial revision id, or `+N` (the next N
  /// on the way to head). Prints a `Destructive: ...` line before each revision marked
  /// `Destructive:`. With no revision file yet, says so.
  void upgrade(const std::string& target = "head");
  /// `db downgrade [TARGET]`: reverts revisions: `-N` (default `-1`: each time, of the applied
  /// revisions nothing applied follows, the one applied last), `base` (all), or a revision id:
  /// it stays applied, everything that follows it is reverted, other branches stay (Alembic's
  /// rule).
  void downgrade(const std::string& target = "-1");
  /// `db upgrade --sql [[FROM:]TO]`: prints the SQL instead of running it (FROM defaults to
  /// base; needs no server).
  void upgrade_sql(const std::string& range = "head");
  /// `db downgrade --sql [FROM:]TO`: prints the SQL instead of running it (FROM defaults to
  /// head; needs no server).
  void downgrade_sql(const std::string& range = "-1");

  /// `db current`: prints and returns the revision the database is at (empty at base).
  std::optional<std::string> current();
  /// `db history`: prints every revision, newest first, marking the head and the current one.
  void history();
  /// `db heads`: prints the head revision(s).
  void heads();
  /// `db show REV`: prints a revision's header.
  void show(const std::string& target);
  /// `db stamp REV`: records REV as the current revision without running any SQL.
  void stamp(const std::string& target = "head");
  /// `db check`: matches (and "No new upgrade operations detected.") when the models match the
  /// database; otherwise prints the differences and says what a generated revision would lose.
  CheckResult check();
  /// `db check --roundtrip`: on a scratch database of its own (`<database>_roundtrip_<pid>`,
  /// created from template0 and dropped afterwards, also on failure) upgrades base to head one
  /// revision at a time, compares the schema with the models, downgrades to base checking that
  /// each downgrade restores the schema its upgrade started from, upgrades again and compares
  /// again. Prints one line per problem, naming the revision; true when there is none.
  bool roundtrip();
  /// `db accept REV`: records the current checksum of an applied revision whose file was edited
  /// on purpose.
  void accept(const std::string& target);

  /// The rows of the history table, oldest first (empty when it does not exist).
  std::vector<AppliedRevision> applied();

  /// The directory and program name the commands use.
  const Settings& settings() const noexcept { return settings_; }

 private:
  App& app();
  ScriptDirectory scripts() const;
  std::string hint(const std::string& command) const;
  bool say_if_no_revisions(const ScriptDirectory& scripts);
  std::string reflect_skip();
  // The history table's schema, asked of the server once when Settings leave it empty.
  const std::string& history_schema();
  detail::HistorySql history_sql();
  void run(const std::vector<const Revision*>& revisions, bool up, const std::string& command,
           Database& db);

  std::function<App&()> app_provider_;
  App* app_ = nullptr;
  std::ostream& out_;
  Settings settings_;
  std::string current_schema_;  // history_schema() when Settings::history_schema is empty
};

}  // namespace orm::migrate
