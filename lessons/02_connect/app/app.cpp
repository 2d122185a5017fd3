#include "app/app.hpp"

#include "workbook/not_done.hpp"

orm::App create_app(std::optional<orm::TestConfig> test_config) {
  orm::Config config;
  if (!test_config) {
    // TODO (step 2): choose the development database. DATABASE_URL wins when it is set: that is
    // how another machine (a classmate's, CI, the checks) points the same program at its own
    // server without changing code. Otherwise the app uses the default development URL that
    // app/app.hpp declares.
    throw workbook::NotDoneYet("the default database in create_app(), app/app.cpp (step 2)");
    // TODO (your turn): when HELLO_BOOKS_DATABASE names a database, the development app uses
    // that database instead, on the same server and as the same user as the URL chosen above.
    // A name PostgreSQL cannot take is an error (orm::ConfigError), before anything connects.
  } else {
    // TODO (step 3): a testing app. Its database is the one the test config names, when it
    // names one (a test that brings its own database); otherwise TEST_DATABASE_URL; otherwise
    // the default test URL from app/app.hpp. Never DATABASE_URL: tests must not touch your
    // development data. The app must also know that it is a testing app.
    throw workbook::NotDoneYet("the test database in create_app(), app/app.cpp (step 3)");
  }
  return orm::App(config);
}
