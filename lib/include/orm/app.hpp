/// @file
/// The application object and its configuration, in the spirit of a Flask app.
#pragma once

#include <optional>
#include <string>

#include "orm/database.hpp"
#include "orm/schema.hpp"
#include "orm/session.hpp"
#include "orm/url.hpp"

namespace orm {

/// An app's settings, like Flask's `app.config`.
struct Config {
  /// Where the app's data lives (Flask-SQLAlchemy's `SQLALCHEMY_DATABASE_URI`).
  std::string database_url;
  /// True for the app the tests use (Flask's `TESTING`).
  bool testing = false;
};

/// What a test passes to `create_app` (the `test_config` of the classic tutorial's
/// `create_app(test_config=None)`). An empty `database_url` means "the usual test database":
/// `TEST_DATABASE_URL` or the app's default test URL.
struct TestConfig {
  /// The test database's URL; empty: `TEST_DATABASE_URL`, else the app's default test URL.
  std::string database_url;
};

/// An application: its configuration, its database and its models, like a Flask app with
/// Flask-SQLAlchemy set up (`db.init_app(app)`).
///
/// @code
/// // A movies app: MOVIES_URL picks its database, the tests always use their own.
/// orm::App make_movies_app(bool for_tests) {
///   orm::Config config;
///   config.database_url = for_tests ? kMoviesTestUrl : orm::env_or("MOVIES_URL", kMoviesUrl);
///   config.testing = for_tests;
///   orm::App app{config};
///   app.metadata().add<Movie>();
///   return app;
/// }
/// @endcode
class App {
 public:
  /// Checks the configuration: throws orm::ConfigError when the database URL is invalid.
  explicit App(Config config);

  /// The settings the app was made with.
  const Config& config() const noexcept { return config_; }
  /// The parsed database URL (print it: the password is masked).
  const DatabaseUrl& database_url() const noexcept { return db_.url(); }
  /// True for an app made with a test config.
  bool testing() const noexcept { return config_.testing; }

  /// The app's database (Flask-SQLAlchemy's `db`); connects on first use.
  Database& db() noexcept { return db_; }
  /// The app's models (`db.metadata`): register each with `metadata().add<Model>()`.
  Metadata& metadata() noexcept { return metadata_; }
  /// @copydoc metadata()
  const Metadata& metadata() const noexcept { return metadata_; }
  /// A new session on the app's database (`db.session`). It must not outlive the app.
  Session session() { return Session(db_); }

 private:
  Config config_;
  Database db_;
  Metadata metadata_;
};

}  // namespace orm
