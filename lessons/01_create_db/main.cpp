// Lesson 01: create the app's two databases.
//
// The classic tutorial opens psql as the postgres user and types
//     CREATE DATABASE hello_books_development;
// This program does the same for both of the app's databases (and for any database named on its
// command line), and leaves a database that already exists alone, so you can run it as often as
// you like.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

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
  // TODO (step 2): make sure the database that `url` names exists on `url`'s server, and print
  // which of the two lines above is true. You cannot connect to a database that does not exist
  // yet: creating one is a job for the server, reached through its maintenance database (like
  // `psql -U postgres`). Ask the server to create it only when it is missing, so the program is
  // safe to run again and again.
  throw workbook::NotDoneYet("create " + url.database() +
                             " in create_database(), main.cpp (step 2)");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto development =
        orm::DatabaseUrl::parse(orm::env_or("DATABASE_URL", kDefaultDatabaseUrl));
    const auto test =
        orm::DatabaseUrl::parse(orm::env_or("TEST_DATABASE_URL", kDefaultTestDatabaseUrl));
    std::vector<orm::DatabaseUrl> databases{development, test};
    // TODO (your turn): also create every database named on the command line
    // (`./workbook run 01 NAME...`), on the development database's server, as its user. Check
    // every name before creating anything: a name PostgreSQL cannot take must stop the program
    // before it has changed the server.
    (void)argc;
    (void)argv;
    for (const orm::DatabaseUrl& url : databases) create_database(url);
    return 0;
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  } catch (const std::exception& e) {  // orm errors: one line, no password
    std::cerr << "create_databases: " << e.what() << "\n";
    return 1;
  }
}
