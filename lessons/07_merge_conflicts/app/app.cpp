#include "app/app.hpp"

#include "models/author.hpp"
#include "models/book.hpp"

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
  // The models `db migrate` compares with the database.
  // The metadata checks each foreign key when its model is registered: authors comes first.
  app.metadata().add<Author>();
  app.metadata().add<Book>();
  return app;
}
