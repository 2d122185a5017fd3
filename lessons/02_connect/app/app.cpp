#include "app/app.hpp"

#include "workbook/not_done.hpp"

orm::App create_app(std::optional<orm::TestConfig> test_config) {
  orm::Config config;
  if (!test_config) {
    // TODO (step 2): the development database. Replace the line below with
    //     config.database_url = orm::env_or("DATABASE_URL", kDefaultDatabaseUrl);
    // (orm::env_or gives the environment variable's value, or the default when it is not set.)
    throw workbook::NotDoneYet("the default database in create_app(), app/app.cpp (step 2)");
  } else {
    // TODO (step 3): the test database. Replace the line below with
    //     config.testing = true;
    //     config.database_url = !test_config->database_url.empty()
    //                               ? test_config->database_url
    //                               : orm::env_or("TEST_DATABASE_URL", kDefaultTestDatabaseUrl);
    throw workbook::NotDoneYet("the test database in create_app(), app/app.cpp (step 3)");
  }
  return orm::App(config);
}
