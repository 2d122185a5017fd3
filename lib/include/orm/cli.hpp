/// @file
/// The app's command line: run the program, or manage its migrations with `db <command>`.
#pragma once

#include <functional>
#include <string>

#include "orm/app.hpp"

namespace orm::cli {

// clang-format off: the example below is laid out by hand.
/// What the executable is: its name, how it builds its app, what it does with no command.
///
/// @code
/// int main(int argc, char** argv) {
///   orm::cli::Program program;
///   program.description = "hello_books: a small library of books";
///   program.create_app = [] { return create_app(std::nullopt); };
///   program.run = [](orm::App& app) {
///     std::cout << app.database_url().masked() << "\n";
///     return 0;
///   };
///   return orm::cli::run(program, argc, argv);
/// }
/// // ./hello_books                                  runs program.run
/// // ./hello_books db migrate -m "adds Book model"  writes a revision
/// // ./hello_books db upgrade                       applies it
/// @endcode
// clang-format on
struct Program {
  std::string name = "hello_books";           ///< in usage and messages
  std::string description;                    ///< one line for `--help`
  std::function<orm::App()> create_app;       ///< builds the app: config + models
  std::function<int(orm::App&)> run;          ///< what the program does with no command
  std::string migrations_dir = "migrations";  ///< default for `db --directory/-d`
  /// The schema of the migration history table (Alembic's `version_table_schema`); empty: the
  /// connection's current schema. See orm::migrate::Settings::history_schema.
  std::string history_schema;
};

/// Parses the command line and runs it: no command -> program.run(app); `db <command>` ->
/// migrations (see orm::migrate::Migrations). Returns the exit status: 0 on success, 1 when the
/// command fails, 2 for a usage error. Errors print one line "error: ..." on stderr (no
/// password, no stack dump); success leaves stderr empty.
int run(const Program& program, int argc, char** argv);

/// The `db` commands as the migrations README lists them: one line each, `  <program> db
/// <command> <arguments>   <what it does>`, made from the same table as the parser.
std::string command_list(const std::string& program);

/// The `db` commands as a Markdown table (command, what it does, options), made from the parser
/// itself; the docs include it (the build writes it to `docs/db_commands.md` in the build tree).
std::string db_commands_markdown(const std::string& program);

}  // namespace orm::cli
