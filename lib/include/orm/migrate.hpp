/// @file
/// Migrations: versioned changes to the database schema, our Alembic / Flask-Migrate.
///
/// Everything `hello_books db ...` does is a member of orm::migrate::Migrations; the command line
/// (orm/cli.hpp) only parses arguments and calls it.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "orm/app.hpp"
#include "orm/migrate/autogenerate.hpp"
#include "orm/migrate/scripts.hpp"

namespace orm::migrate {

/// The table that records applied revisions (Alembic's `alembic_version`).
inline constexpr const char* history_table = "migration_history";

/// One row of the history table: a revision applied to this database.
struct AppliedRevision {
  std::string revision;               ///< the revision id
  std::string down_revision;          ///< empty for the first revision
  std::string message;                ///< the revision's message
  std::string checksum;               ///< SHA-256 of the file as it was applied (or accepted)
  std::string applied_at;             ///< e.g. "2026-11-24 19:18:18.16844+00"
  std::optional<double> duration_ms;  ///< empty for stamped revisions and `--sql` output
};

/// Where the migrations live and how the program is called in hints.
struct Settings {
  std::filesystem::path directory = "migrations";  ///< holds README and versions/
  std::string program = "hello_books";             ///< named in hints: "run `hello_books db ...`"
};

/// The migration commands of an app: what `hello_books db <command>` runs.
///
/// Output goes to `out` in the style Alembic users know (`Running upgrade  -> 1a2b3c4d5e6f, adds
/// Book model`); failures throw orm::Error subclasses (MigrationError, ConnectionError, ...)
/// with one-line, password-free messages that name the fix.
///
/// Safety: each revision runs in its own transaction together with its history row; upgrade,
/// downgrade and stamp hold a PostgreSQL advisory lock on a second connection, so concurrent
/// runs apply every revision once; an applied revision whose file changed is refused before
/// anything runs (accept() takes the edit on purpose).
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

  /// `db upgrade [TARGET]`: applies revisions up to TARGET: `head` (the default), a full or
  /// unique partial revision id, or `+N`.
  void upgrade(const std::string& target = "head");
  /// `db downgrade [TARGET]`: reverts revisions down to TARGET: `-N` (default `-1`), `base`, or
  /// a revision id (which stays applied).
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
  void show(const std::string& revision);
  /// `db stamp REV`: records REV as the current revision without running any SQL.
  void stamp(const std::string& target = "head");
  /// `db check`: true (and "No new upgrade operations detected.") when the models match the
  /// database; false after printing the differences.
  bool check();
  /// `db accept REV`: records the current checksum of an applied revision whose file was edited
  /// on purpose.
  void accept(const std::string& revision);

  /// The rows of the history table, oldest first (empty when it does not exist).
  std::vector<AppliedRevision> applied();

  /// The directory and program name the commands use.
  const Settings& settings() const noexcept { return settings_; }

 private:
  App& app();
  ScriptDirectory scripts() const;
  std::string hint(const std::string& command) const;

  std::function<App&()> app_provider_;
  App* app_ = nullptr;
  std::ostream& out_;
  Settings settings_;
};

}  // namespace orm::migrate
