// Helpers for the lessons' check tests: running a lesson's program and explaining failures.
#pragma once

#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/result>

#include "orm/session.hpp"
#include "orm/url.hpp"

namespace lesson_check {

/// What a program run did.
struct ProgramRun {
  std::string command;  ///< what ran, for messages (URLs masked)
  int exit_code = -1;   ///< the exit status; 128 + N when killed by signal N
  bool timed_out = false;
  std::string out;  ///< everything it printed to stdout
  std::string err;  ///< everything it printed to stderr

  /// The run in a few lines: command, exit code (or the crash, explained), stdout and stderr.
  std::string describe() const;
  /// True when the program stopped at an unfinished part of the lesson: it exited with 2 and
  /// said "not done yet: ..." (workbook::NotDoneYet).
  bool not_done() const;
  /// The lines of stdout.
  std::vector<std::string> out_lines() const;
  /// The lines of stderr.
  std::vector<std::string> err_lines() const;
};

/// An environment change for a program run: set NAME to a value, or unset it (std::nullopt).
using EnvChange = std::pair<std::string, std::optional<std::string>>;

/// Runs `program` with `arguments` in `directory` (empty: the current one), the environment of
/// this process changed by `environment`. Gives up after `timeout_seconds` (the program is then
/// killed and `timed_out` is set).
ProgramRun run_program(const std::string& program, const std::vector<std::string>& arguments,
                       const std::vector<EnvChange>& environment = {},
                       const std::string& directory = {}, int timeout_seconds = 60);

/// The lines of `text` (a missing final newline is fine).
std::vector<std::string> lines_of(const std::string& text);
/// The lines of `text` that contain `needle`.
std::vector<std::string> lines_with(const std::string& text, const std::string& needle);

/// The server's URL with a password the server refuses, for wrong-password checks (see
/// testing_support::wrong_password_url: on the workbook's cluster the user is another role).
std::string url_with_password(const orm::DatabaseUrl& url, const std::string& password);
/// A URL on this machine where no server listens (a port that was free a moment ago).
std::string unreachable_url(const std::string& database);

/// Sets (or, with std::nullopt, unsets) an environment variable of this process until the end of
/// the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

/// The first check of every lesson: the test server answers, and this process's own database
/// exists (testing_support::test_database()). Fails with the reason and the fix otherwise.
void require_server();

/// A column of a table as PostgreSQL has it.
struct Column {
  std::string name;
  std::string type;  ///< as format_type() writes it: "integer", "character varying(80)"
  bool nullable = true;
  bool identity = false;                   ///< GENERATED ... AS IDENTITY
  std::optional<std::string> default_sql;  ///< the DEFAULT expression, if there is one

  bool operator==(const Column& other) const {
    return name == other.name && type == other.type && nullable == other.nullable &&
           identity == other.identity && default_sql == other.default_sql;
  }
  /// "name type [NOT NULL] [DEFAULT expression]".
  std::string text() const;
};

/// The columns of table `table` in the public schema, in the table's order; none when there is
/// no such table. Read from pg_catalog: information_schema.columns says the same, but planning a
/// query on it takes some 10 ms each time, and the checks ask often.
std::vector<Column> columns_in(orm::Session& session, const std::string& table);
/// Columns from `rows` of (name, type, nullable, identity, default or NULL), the shape of
/// columns_in's query.
std::vector<Column> columns_from(const pqxx::result& rows);
/// The column called `name`, or nullptr.
const Column* find(const std::vector<Column>& columns, const std::string& name);

/// `values` as a PostgreSQL array literal, to pass as one parameter cast to text[] or int[]: one
/// statement then inserts many rows (INSERT ... SELECT * FROM unnest($1::int[], $2::text[])),
/// instead of one round trip to the server for each.
std::string array_of(const std::vector<std::string>& values);
std::string array_of(const std::vector<int>& values);

/// True when database `name` exists on the test server.
bool database_exists(const std::string& name);
/// The names of the tables in the public schema of database `url`, sorted.
std::vector<std::string> tables_of(const orm::DatabaseUrl& url);

/// The statements the library sent while `work` ran, one per element, from its statement log
/// (ORM_STATEMENT_LOG, see orm::Session) in a file called `name` in the harness's scratch folder.
/// `work` gets the environment change that turns the log on, for the program runs it makes; in
/// this process the log is on while `work` runs. Every statement counts, whether or not a
/// transaction holds several together.
std::vector<std::string> statements_during(const std::string& name,
                                           const std::function<void(const EnvChange&)>& work);

/// What the lesson's create_app(orm::TestConfig{}) makes of some tables: what it threw, or which
/// of them its metadata lacks.
struct Registration {
  std::string error;                 ///< what create_app threw, or ""
  std::vector<std::string> missing;  ///< of the tables asked for, those the app does not know
  bool complete() const { return error.empty() && missing.empty(); }
};

/// Calls the lesson's create_app(orm::TestConfig{}) and looks for `tables` in its metadata.
/// Defined in support/app_registration.cpp, which alone includes the lesson's app/app.hpp (so
/// that saving that file recompiles only it), for the lessons that tests/lessons/CMakeLists.txt
/// lists.
Registration app_registration(const std::vector<std::string>& tables);

}  // namespace lesson_check

// Failure messages end with what to do: LESSON_TEXT, LESSON_PATH and LESSON_NUMBER are defined
// per check program (tests/lessons/CMakeLists.txt), e.g. "lessons/03_models/README.md",
// "lessons/03_models" and "03".
#ifdef LESSON_TEXT
namespace lesson_check {

/// The command that runs this lesson's checks again: "./workbook check 03".
inline std::string rerun() {
  return "./workbook check " LESSON_NUMBER;
}

/// How the student runs this lesson's program, "./workbook run 05": the program's messages and
/// the checks' name its commands this way.
inline const char* const kCommand = "./workbook run " LESSON_NUMBER;

/// `arguments` as the student types them: "./workbook run 05 db upgrade".
inline std::string command_text(const std::vector<std::string>& arguments) {
  std::string text = kCommand;
  for (const auto& argument : arguments) text += " " + argument;
  return text;
}

/// The lesson's program (LESSON_PROGRAM) on one database: DATABASE_URL names it, and the
/// program names its commands as kCommand does (WORKBOOK_COMMAND).
struct Program {
  orm::DatabaseUrl database;

  /// Runs the lesson's program on `database`, the environment also changed by `environment`.
  ProgramRun operator()(const std::vector<std::string>& arguments,
                        std::vector<EnvChange> environment = {}) const {
    environment.insert(environment.begin(), {{"DATABASE_URL", database.uri_with_password()},
                                             {"WORKBOOK_COMMAND", kCommand}});
    return run_program(LESSON_PROGRAM, arguments, environment);
  }
};

/// The hint command for a part of the lesson text: "step 2" -> "./workbook hint 03 2",
/// "Your turn" -> "./workbook hint 03 your-turn"; "" for other parts.
inline std::string hint_for(const std::string& part) {
  const std::string prefix = "./workbook hint " LESSON_NUMBER " ";
  if (part == "Your turn") return prefix + "your-turn";
  if (part.rfind("step ", 0) == 0 && part.find_first_not_of("0123456789", 5) == std::string::npos) {
    return prefix + part.substr(5);
  }
  return {};
}

/// The end of a failure message: the file to change (relative to the lesson folder), the part
/// of the lesson text to read ("step 2", "Your turn"), the command to run again and the hint
/// for that part.
inline std::string fix(const std::string& file, const std::string& part) {
  const std::string hint = hint_for(part);
  return "Edit " LESSON_PATH "/" + file + " (" + part + " in " LESSON_TEXT "), then run " +
         rerun() + (hint.empty() ? "" : " (stuck? " + hint + ")");
}

/// The message for a program that stopped at an unfinished part. The `primary` check of that
/// part says what the program said and what to do; the others only say that they wait for it,
/// so one cause gives one full message.
// "(stuck? ./workbook hint NN N)" for the part an unfinished program names ("..., main.cpp
// (step 6), see ..."), or "".
inline std::string stuck_for(const std::string& said) {
  std::string part;
  if (const auto at = said.find("(step "); at != std::string::npos && at + 6 < said.size() &&
                                           std::isdigit(static_cast<unsigned char>(said[at + 6]))) {
    part = said.substr(at + 1, said.find_first_not_of("0123456789", at + 6) - at - 1);
  } else if (said.find("(Your turn") != std::string::npos) {
    part = "Your turn";
  }
  const std::string hint = part.empty() ? std::string() : hint_for(part);
  return hint.empty() ? std::string() : " (stuck? " + hint + ")";
}

inline std::string not_finished(const ProgramRun& run, const std::string& program,
                                bool primary = false) {
  std::string said = run.err_lines().empty() ? std::string("(nothing)") : run.err_lines().front();
  if (primary) {
    return program + " is not finished yet. It says:\n    " + said +
           "\nWrite that part first, then run " + rerun() + stuck_for(said);
  }
  const auto see = said.rfind(", see ");
  if (see != std::string::npos) said.erase(see);
  return "Not checked yet: " + program + " stops at an unfinished part (" + said + ").";
}

}  // namespace lesson_check
#endif
