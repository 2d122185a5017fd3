// The hello_books app: its factory function, like create_app() in the Flask tutorial's
// app/__init__.py.
#pragma once

#include <optional>

#include "orm/app.hpp"

/// The app's database when DATABASE_URL is not set: the classic tutorial's connection string, on
/// the workbook's PostgreSQL (port 55432).
inline constexpr const char* kDefaultDatabaseUrl =
    "postgresql://postgres:postgres@localhost:55432/hello_books_development";

/// The tests' database when TEST_DATABASE_URL is not set.
inline constexpr const char* kDefaultTestDatabaseUrl =
    "postgresql://postgres:postgres@localhost:55432/hello_books_test";

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
