// The command line of an app's executable: the program itself, and `db <command>`.
#include "orm/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "orm/errors.hpp"
#include "orm/migrate.hpp"
#include "translate.hpp"

namespace orm::cli {
namespace {

using orm::detail::one_line;

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

// The `db` command group and the values its options fill in.
struct DbCommands {
  CLI::App* group = nullptr;
  CLI::App *init, *migrate, *revision, *upgrade, *downgrade, *current, *history, *heads, *show,
      *stamp, *check, *accept;
  std::string directory;
  std::string message;
  std::vector<std::string> renames;
  std::string target;
  bool sql = false;

  void add_to(CLI::App& cli) {
    group = cli.add_subcommand("db", "Perform database migrations.");
    add_directory_option(group);
    init = command("init", "Creates a new migration repository.");
    migrate = command("migrate", "Autogenerate a new revision file from the models.");
    migrate->add_option("-m,--message", message, "Revision message");
    migrate
        ->add_option("--rename", renames,
                     "TABLE.OLD:NEW renames a column, OLD:NEW a table, instead of drop + add")
        ->allow_extra_args(false);
    revision = command("revision", "Create a new, empty revision file.");
    revision->add_option("-m,--message", message, "Revision message");
    upgrade = command("upgrade", "Upgrade to a later version.");
    upgrade->add_option("revision", target,
                        "head (default), a revision id or its start, +N; with --sql [FROM:]TO");
    upgrade->add_flag("--sql", sql, "Print the SQL instead of running it (needs no server)");
    downgrade = command("downgrade", "Revert to a previous version.");
    downgrade->add_option("revision", target,
                          "-1 (default), -N, base or a revision id; with --sql [FROM:]TO");
    downgrade->add_flag("--sql", sql, "Print the SQL instead of running it (needs no server)");
    current = command("current", "Display the current revision of the database.");
    history = command("history", "List the revisions, newest first.");
    heads = command("heads", "Show the head revision(s).");
    show = command("show", "Show the revision denoted by the given symbol.");
    show->add_option("revision", target, "head or a revision id")->required();
    stamp = command("stamp", "Record a revision as applied, without running any SQL.");
    stamp->add_option("revision", target, "head (default), base or a revision id");
    check = command("check", "Exit non-zero when the models differ from the database.");
    accept = command("accept", "Accept the edited file of an applied revision.");
    accept->add_option("revision", target, "the revision id")->required();
  }

  CLI::App* command(const char* name, const char* description) {
    CLI::App* sub = group->add_subcommand(name, description);
    add_directory_option(sub);
    return sub;
  }

  void add_directory_option(CLI::App* app) {
    app->add_option("-d,--directory", directory,
                    "Migrations directory (default: " + directory + ")");
  }

  // Runs the chosen command; returns the exit status.
  int run(const std::string& program, std::function<App&()> app) {
    migrate::Settings settings;
    settings.directory = directory;
    settings.program = program;
    migrate::Migrations db(std::move(app), std::cout, settings);
    const auto target_or = [&](const char* fallback) {
      return target.empty() ? std::string(fallback) : target;
    };
    if (init->parsed()) {
      db.init();
    } else if (migrate->parsed()) {
      db.migrate(message, renames);
    } else if (revision->parsed()) {
      db.revision(message);
    } else if (upgrade->parsed()) {
      sql ? db.upgrade_sql(target_or("head")) : db.upgrade(target_or("head"));
    } else if (downgrade->parsed()) {
      sql ? db.downgrade_sql(target_or("-1")) : db.downgrade(target_or("-1"));
    } else if (current->parsed()) {
      db.current();
    } else if (history->parsed()) {
      db.history();
    } else if (heads->parsed()) {
      db.heads();
    } else if (show->parsed()) {
      db.show(target);
    } else if (stamp->parsed()) {
      db.stamp(target_or("head"));
    } else if (accept->parsed()) {
      db.accept(target);
    } else if (check->parsed()) {
      if (!db.check()) {
        std::cerr << "error: the models differ from the database: run `" << program
                  << " db migrate -m \"describe the change\"`, then `" << program
                  << " db upgrade`\n";
        return 1;
      }
    } else {
      std::cout << group->help(program);  // `hello_books db` alone: the list of commands
    }
    return 0;
  }
};

}  // namespace

int run(const Program& program, int argc, char** argv) {
  CLI::App cli{program.description, program.name};
  cli.require_subcommand(0, 1);
  DbCommands db;
  db.directory = program.migrations_dir.string();
  db.add_to(cli);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << one_line(e.what()) << ": see `" << command_path(cli, program.name)
              << " --help`\n";
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
