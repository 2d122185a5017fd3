// The hello_books app: its factory function, like create_app() in the Flask tutorial's
// app/__init__.py.
#pragma once

#include <optional>
#include <string>

#include "orm/app.hpp"
#include "workbook/cluster.hpp"

/// The app's database when DATABASE_URL is not set: hello_books_development on the workbook's own
/// PostgreSQL, as `./workbook db url` prints it. Where the classic tutorial has
/// postgresql://postgres:postgres@localhost:5432/hello_books_development, this URL names the
/// server's private unix socket and carries no password (the lesson text says why).
inline const std::string kDefaultDatabaseUrl = workbook::cluster_url("hello_books_development");

/// The tests' database when TEST_DATABASE_URL is not set: hello_books_test on the same server.
inline const std::string kDefaultTestDatabaseUrl = workbook::cluster_url("hello_books_test");

/// Builds the hello_books app, like Flask's `create_app(test_config=None)`.
///
/// - Without a test config: the app's database is DATABASE_URL, or kDefaultDatabaseUrl when the
///   variable is not set.
/// - With a test config: a testing app (`app.testing()` is true) whose database is
///   `test_config->database_url`, or TEST_DATABASE_URL when that is empty, or
///   kDefaultTestDatabaseUrl when neither is set.
///
/// Nothing is connected yet: the app connects on first use. Throws orm::ConfigError when the URL
/// is not a valid connection URL.
///
/// @code
/// orm::App app = create_app();                      // hello_books_development
/// orm::App test_app = create_app(orm::TestConfig{});  // hello_books_test
/// std::cout << app.database_url().masked() << "\n";
/// @endcode
orm::App create_app(std::optional<orm::TestConfig> test_config = std::nullopt);
