// Lesson 01: create the app's two databases.
//
// The classic tutorial opens psql as the postgres user and types
//     CREATE DATABASE hello_books_development;
// This program does the same for both of the app's databases, and leaves a database that already
// exists alone, so you can run it as often as you like.
#include <exception>
#include <iostream>
#include <string>

#include "orm/orm.hpp"
#include "workbook/cluster.hpp"
#include "workbook/not_done.hpp"

namespace {

// The app's two databases on the workbook's own PostgreSQL, as `./workbook db url` prints them
// (the classic tutorial's postgresql://postgres:postgres@localhost:5432/... with the server's
// private unix socket instead of a port open to everyone, and no password). The environment
// variables DATABASE_URL and TEST_DATABASE_URL replace them when they are set.
const std::string kDefaultDatabaseUrl = workbook::cluster_url("hello_books_development");
const std::string kDefaultTestDatabaseUrl = workbook::cluster_url("hello_books_test");

// Creates the database that `url` names, on `url`'s server, unless it exists; prints which:
//     Created database hello_books_development
//     Database hello_books_development already exists
void create_database(const orm::DatabaseUrl& url) {
  // TODO (step 2): replace the line below with: connect to the server, orm::Server server{url};
  // then call server.create_database(url.database()): true means it created the database, false
  // that it was already there. Print the matching line from the comment above.
  orm::Server server{url};
  if (server.create_database(url.database())) {
    std::cout << "Created database " << url.database() << "\n";
  } else {
    std::cout << "Database " << url.database() << " already exists\n";
  }
}

}  // namespace

int main() {
  try {
    const auto development =
        orm::DatabaseUrl::parse(orm::env_or("DATABASE_URL", kDefaultDatabaseUrl));
    const auto test =
        orm::DatabaseUrl::parse(orm::env_or("TEST_DATABASE_URL", kDefaultTestDatabaseUrl));
    create_database(development);
    create_database(test);
    return 0;
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  } catch (const std::exception& e) {  // orm errors: one line, no password
    std::cerr << "create_databases: " << e.what() << "\n";
    return 1;
  }
}
