// Do not change this file: it belongs to the migration tests (label: migrate).
//
// A small app for the process-level tests of the `db` command line: what a lesson's hello_books
// executable is, with the models picked by MIGRATE_APP_MODELS (book: the first Book model,
// author: Book with an author column, none: no model) and the database from DATABASE_URL.
#include <iostream>
#include <optional>
#include <string>

#include "models.hpp"
#include "orm/cli.hpp"
#include "orm/orm.hpp"

namespace {

orm::App create_app() {
  orm::Config config;
  config.database_url = orm::env_or(
      "DATABASE_URL", "postgresql://postgres:postgres@localhost:55432/hello_books_development");
  orm::App app{config};
  const std::string models = orm::env_or("MIGRATE_APP_MODELS", "book");
  if (models == "book") app.metadata().add<migrate_models::Book>();
  if (models == "author") app.metadata().add<migrate_models::BookWithAuthor>();
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  orm::cli::Program program;
  program.name = "migrate_app";
  program.description = "migrate_app: the migration tests' app";
  program.create_app = create_app;
  program.run = [](orm::App& app) {
    std::cout << "migrate_app uses " << app.database_url().masked() << "\n";
    if (orm::env_or("MIGRATE_APP_RUN", "") == "count_books") {  // a program that reads its table
      orm::Session session{app.db()};
      std::cout << session.query<migrate_models::Book>().count() << " books\n";
    }
    return 0;
  };
  return orm::cli::run(program, argc, argv);
}
