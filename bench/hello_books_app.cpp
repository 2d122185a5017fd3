// bench_hello_books: the tutorial's app with its `db` commands, built as lesson 04 builds
// hello_books. bench/run.py times its `db upgrade`, `db current` and `db migrate` as whole
// processes in a throwaway project folder, beside `flask db` in another.
//
//   DATABASE_URL="$(./workbook db url hello_books_bench_db_ours)" bench_hello_books db upgrade

#include <iostream>

#include "book.hpp"
#include "orm/cli.hpp"
#include "orm/orm.hpp"

int main(int argc, char** argv) {
  orm::cli::Program program;
  program.name = "bench_hello_books";
  program.description = "the benchmarks' hello_books app (Book model, db commands)";
  program.create_app = [] {
    orm::Config config;
    config.database_url = orm::env_or("DATABASE_URL", "");  // bench/db_rows.py sets it
    if (config.database_url.empty()) {
      throw orm::ConfigError(
          "DATABASE_URL is not set: bench/run.py sets it; by hand, DATABASE_URL=\"$(./workbook db "
          "url hello_books_bench_db_ours)\"");
    }
    orm::App app{config};
    app.metadata().add<bench::Book>();
    return app;
  };
  program.run = [](orm::App& app) {
    std::cout << app.session().query<bench::Book>().count() << " books\n";
    return 0;
  };
  return orm::cli::run(program, argc, argv);
}
