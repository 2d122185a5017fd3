#include "app/app.hpp"

#include "models/book.hpp"
#include "models/member.hpp"

orm::App create_app(std::optional<orm::TestConfig> test_config) {
  orm::Config config;
  if (!test_config) {
    config.database_url = orm::env_or("DATABASE_URL", kDefaultDatabaseUrl);
  } else {
    config.testing = true;
    config.database_url = !test_config->database_url.empty()
                              ? test_config->database_url
                              : orm::env_or("TEST_DATABASE_URL", kDefaultTestDatabaseUrl);
  }
  orm::App app(config);
  // TODO (step 4): register the Book model with the app: the app's metadata is the list of
  // its models, from which orm::create_all (and, in lesson 04, the migrations) learn the tables.
  // TODO (your turn): register the Member model too.
  app.metadata().add<Book>();
  app.metadata().add<Member>();
  return app;
}
