// The command line of an app's executable: the program itself, and `db <command>`.
//
// Every `db` command is one entry of kDbCommands (name, arguments, help, options, handler): the
// CLI11 parser, `--help`, the migrations README's command list and the docs page
// (db_commands_markdown) are all made from that table.
#include "orm/cli.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "orm/errors.hpp"
#include "orm/migrate.hpp"
#include "translate.hpp"

namespace orm::cli {
namespace {

using orm::detail::one_line;

// The values the `db` commands' options fill in.
struct DbOptions {
  std::string directory;
  std::string message;
  std::vector<std::string> renames;
  std::string target;
  bool target_given = false;  // tells `db upgrade ''` from `db upgrade`
  bool sql = false;
  bool roundtrip = false;
  std::vector<std::string> revisions;  // `db merge REV...`
  double lock_timeout = 0;
  bool lock_timeout_given = false;

  // The TARGET argument, or `fallback` when it was not given at all.
  std::string target_or(const char* fallback) const { return target_given ? target : fallback; }
};

// One `db` command: how it is called, what it does, its options, and what runs it.
struct DbCommand {
  const char* name;
  const char* arguments;  // after the name in usage lines, e.g. "[TARGET]"
  const char* help;
  void (*add_options)(CLI::App& command, DbOptions& options);
  int (*run)(migrate::Migrations& db, const DbOptions& options, const std::string& program);
};

void no_options(CLI::App&, DbOptions&) {}

void message_option(CLI::App& command, DbOptions& options) {
  command.add_option("-m,--message", options.message, "Revision message");
}

void target_option(CLI::App& command, DbOptions& options, const char* help, bool required) {
  CLI::Option* option = command.add_option("revision", options.target, help);
  if (required) option->required();
}

void sql_flag(CLI::App& command, DbOptions& options) {
  command.add_flag("--sql", options.sql, "Print the SQL instead of running it (needs no server)");
}

void lock_timeout_option(CLI::App& command, DbOptions& options) {
  command
      .add_option("--lock-timeout", options.lock_timeout,
                  "Give up after SECONDS when another migration command holds the database's "
                  "migration lock (default: wait)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 86400.0));
}

const std::vector<DbCommand>& db_commands() {
  static const std::vector<DbCommand> commands{
      {"init", "", "Creates a new migration repository.", no_options,
       [](migrate::Migrations& db, const DbOptions&, const std::string&) {
         db.init();
         return 0;
       }},
      {"migrate", "-m MESSAGE", "Autogenerate a new revision file from the models.",
       [](CLI::App& command, DbOptions& options) {
         message_option(command, options);
         command
             .add_option("--rename", options.renames,
                         "TABLE.OLD:NEW renames a column, OLD:NEW a table, instead of drop + add")
             ->allow_extra_args(false);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.migrate(options.message, options.renames);
         return 0;
       }},
      {"revision", "-m MESSAGE", "Create a new, empty revision file.", message_option,
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.revision(options.message);
         return 0;
       }},
      {"merge", "[-m MESSAGE] [REV...]",
       "Merge two or more heads into one with a merge revision (default: every head).",
       [](CLI::App& command, DbOptions& options) {
         message_option(command, options);
         command.add_option("revisions", options.revisions,
                            "the revisions to join (default: every head)");
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.merge(options.message, options.revisions);
         return 0;
       }},
      {"upgrade", "[TARGET]", "Upgrade to a later version.",
       [](CLI::App& command, DbOptions& options) {
         target_option(
             command, options,
             "head (default), heads, a revision id or its start, +N; with --sql [FROM:]TO", false);
         sql_flag(command, options);
         lock_timeout_option(command, options);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         const std::string target = options.target_or("head");
         options.sql ? db.upgrade_sql(target) : db.upgrade(target);
         return 0;
       }},
      {"downgrade", "[TARGET]", "Revert to a previous version.",
       [](CLI::App& command, DbOptions& options) {
         target_option(command, options,
                       "-1 (default), -N, base or a revision id; with --sql [FROM:]TO", false);
         sql_flag(command, options);
         lock_timeout_option(command, options);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         const std::string target = options.target_or("-1");
         options.sql ? db.downgrade_sql(target) : db.downgrade(target);
         return 0;
       }},
      {"current", "", "Display the current revision of the database.", no_options,
       [](migrate::Migrations& db, const DbOptions&, const std::string&) {
         db.current();
         return 0;
       }},
      {"history", "", "List the revisions, newest first.", no_options,
       [](migrate::Migrations& db, const DbOptions&, const std::string&) {
         db.history();
         return 0;
       }},
      {"heads", "", "Show the head revision(s).", no_options,
       [](migrate::Migrations& db, const DbOptions&, const std::string&) {
         db.heads();
         return 0;
       }},
      {"show", "REV", "Show the revision denoted by the given symbol.",
       [](CLI::App& command, DbOptions& options) {
         target_option(command, options, "head or a revision id", true);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.show(options.target);
         return 0;
       }},
      {"stamp", "[REV]", "Record a revision as applied, without running any SQL.",
       [](CLI::App& command, DbOptions& options) {
         target_option(command, options, "head (default), base or a revision id", false);
         lock_timeout_option(command, options);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.stamp(options.target_or("head"));
         return 0;
       }},
      {"check", "[--roundtrip]", "Exit non-zero when the models differ from the database.",
       [](CLI::App& command, DbOptions& options) {
         command.add_flag("--roundtrip", options.roundtrip,
                          "Instead, on a scratch database: upgrade base to head, downgrade to "
                          "base, upgrade again; check each downgrade and compare with the models");
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string& program) {
         if (options.roundtrip) {
           if (db.roundtrip()) return 0;
           std::cerr << fmt::format(
               "error: the migrations failed the round trip: fix the revisions named above, "
               "then run `{} db check --roundtrip` again\n",
               program);
           return 1;
         }
         const migrate::CheckResult result = db.check();
         if (result) return 0;
         if (!result.data_loss.empty()) {
           std::cerr << fmt::format(
               "error: the models differ from the database, and a generated revision {1} and "
               "the data in it: to keep or move that data, write the revision yourself (`{0} db "
               "revision -m \"describe the change\"`); to let it go, `{0} db migrate -m "
               "\"describe the change\"`; then `{0} db upgrade`\n",
               program, result.data_loss);
         } else {
           std::cerr << fmt::format(
               "error: the models differ from the database: run `{0} db migrate -m \"describe "
               "the change\"`, then `{0} db upgrade`\n",
               program);
         }
         return 1;
       }},
      {"accept", "REV", "Accept the edited file of an applied revision.",
       [](CLI::App& command, DbOptions& options) {
         target_option(command, options, "the revision id", true);
       },
       [](migrate::Migrations& db, const DbOptions& options, const std::string&) {
         db.accept(options.target);
         return 0;
       }},
  };
  return commands;
}

// "hello_books db upgrade": the deepest command the parser got to, for "see ... --help".
std::string command_path(const CLI::App& root, const std::string& name) {
  std::string path = name;
  const CLI::App* at = &root;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  return path;
}

// The `db` group on `cli`: one subcommand per table entry, each with -d/--directory.
struct DbParser {
  CLI::App* group = nullptr;
  std::vector<std::pair<CLI::App*, const DbCommand*>> commands;
  DbOptions options;
  std::string history_schema;

  DbParser(CLI::App& cli, const std::string& default_directory, std::string history_schema)
      : history_schema(std::move(history_schema)) {
    options.directory = default_directory;
    group = cli.add_subcommand("db", "Perform database migrations.");
    add_directory_option(*group);
    for (const DbCommand& command : db_commands()) {
      CLI::App* sub = group->add_subcommand(command.name, command.help);
      add_directory_option(*sub);
      command.add_options(*sub, options);
      commands.emplace_back(sub, &command);
    }
  }

  void add_directory_option(CLI::App& app) {
    app.add_option("-d,--directory", options.directory,
                   fmt::format("Migrations directory (default: {})", options.directory));
  }

  // Runs the chosen command; returns the exit status.
  int run(const std::string& program, std::function<App&()> app) {
    migrate::Settings settings;
    settings.directory = options.directory;
    settings.program = program;
    settings.commands = command_list(program);
    settings.history_schema = history_schema;
    for (const auto& entry : commands) {
      const CLI::App* parsed = entry.first;
      if (!parsed->parsed()) continue;
      // The options are shared by the subcommands: ask the one that ran what it was given.
      const auto given = [&](const char* name) {
        return parsed->get_option_no_throw(name) != nullptr && parsed->count(name) > 0;
      };
      options.target_given = given("revision");
      if (given("--lock-timeout")) settings.lock_timeout_seconds = options.lock_timeout;
      migrate::Migrations db(std::move(app), std::cout, settings);
      return entry.second->run(db, options, program);
    }
    std::cout << group->help(program);  // `hello_books db` alone: the list of commands
    return 0;
  }
};

}  // namespace

std::string command_list(const std::string& program) {
  std::string out;
  for (const DbCommand& command : db_commands()) {
    const std::string call = fmt::format("{} db {} {}", program, command.name, command.arguments);
    out += fmt::format("  {:<40} {}\n", call, command.help);
  }
  return out;
}

std::string db_commands_markdown(const std::string& program) {
  CLI::App cli{"", program};
  DbParser parser(cli, "migrations", migrate::history_schema);
  std::string out = fmt::format("| Command | What it does | Options |\n|---|---|---|\n");
  for (const auto& [sub, command] : parser.commands) {
    std::vector<std::string> options;
    for (const CLI::Option* option : sub->get_options()) {
      if (option->get_name() == "--help") continue;
      const std::string name =
          option->get_positional() ? option->get_name() : option->get_name(false, true);
      options.push_back(fmt::format("`{}`: {}", name, option->get_description()));
    }
    out += fmt::format("| `{} db {}{}{}` | {} | {} |\n", program, command->name,
                       *command->arguments == '\0' ? "" : " ", command->arguments, command->help,
                       fmt::join(options, "<br>"));
  }
  return out;
}

int run(const Program& program, int argc, char** argv) {
  CLI::App cli{program.description, program.name};
  cli.require_subcommand(0, 1);
  DbParser db(cli, program.migrations_dir, program.history_schema);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << fmt::format("error: {}: see `{} --help`\n", one_line(e.what()),
                             command_path(cli, program.name));
    return 2;
  }

  std::optional<App> app;
  const auto get_app = [&]() -> App& {
    if (!app) {
      if (!program.create_app) {
        throw ConfigError(program.name + " has no create_app: set Program::create_app");
      }
      app.emplace(program.create_app());
    }
    return *app;
  };
  const auto scrub = [&](std::string text) {
    return app ? app->database_url().scrub(std::move(text)) : text;
  };

  try {
    if (db.group->parsed()) return db.run(program.name, get_app);
    if (!program.run) {
      std::cout << cli.help();
      return 0;
    }
    return program.run(get_app());
  } catch (const DatabaseError& e) {
    std::cerr << "error: " << e.what();
    // An undefined table when the program itself runs: its tables come from the migrations.
    if (e.sqlstate() == "42P01" && !db.group->parsed()) {
      std::cerr << fmt::format("; this program's migrations make its tables: run `{} db upgrade`",
                               program.name);
    }
    std::cerr << "\n";
  } catch (const Error& e) {  // orm errors are one line without the password already
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << scrub(one_line(e.what())) << "\n";
  } catch (...) {
    std::cerr << "error: unexpected failure (not a std::exception)\n";
  }
  return 1;
}

}  // namespace orm::cli
