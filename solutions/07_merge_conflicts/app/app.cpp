#include "app/app.hpp"

#include "models/author.hpp"
#include "models/book.hpp"
#include "models/book_genre.hpp"
#include "models/genre.hpp"

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
  // The models `db migrate` compares with the database. A model comes after the models its
  // foreign keys refer to: Author before Book.
  app.metadata().add<Author>();
  app.metadata().add<Book>();
  // Then the genres and the links between books and genres, each after the models it
  // refers to.
  app.metadata().add<Genre>();
  app.metadata().add<BookGenre>();
  return app;
}
