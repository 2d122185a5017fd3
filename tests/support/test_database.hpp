// The test harness every database test uses.
//
// Each test process gets a database of its own, created on first use (a copy of template0) on the
// server named by DATABASE_URL, and dropped when the process ends. Tests therefore never see each
// other's rows and never touch hello_books_development. While it exists, DATABASE_URL and
// TEST_DATABASE_URL point at it, so code under test that reads them (create_app, the lesson
// programs) uses it too.
#pragma once

#include <string>
#include <string_view>

#include "orm/url.hpp"

namespace testing_support {

/// The server the tests run against: DATABASE_URL's server (its database part is ignored).
/// Throws orm::ConfigError when DATABASE_URL is unset: run the tests through ./workbook test.
const orm::DatabaseUrl& server_url();

/// This process's own database, created on first call. Throws orm::ConnectionError, with the
/// server and the fix, when the server cannot be reached.
const orm::DatabaseUrl& test_database();

/// A fresh, empty extra database for this process, named hello_books_test_<process>_<suffix>;
/// dropped when the process ends (or by drop_scratch_database).
orm::DatabaseUrl scratch_database(std::string_view suffix);
/// A name for an extra database (not created): hello_books_test_<process>_<suffix>. Databases
/// with such names are dropped when the process ends.
std::string scratch_database_name(std::string_view suffix);
/// Drops a database made by scratch_database (force-closing its connections).
void drop_scratch_database(std::string_view name);

/// True for names that mark a test database: "test_...", "..._test" or "..._test_...".
/// The harness refuses to create or drop any other database.
bool is_test_database_name(std::string_view name);

/// `url` (server and database) logging in with `password`, which the server refuses: for tests of
/// wrong-password errors. On a server that `url` reaches without a password (the workbook's own
/// cluster, where peer authentication ignores passwords), the user is the role
/// hello_books_test_password, created here with no password, so every password is wrong; on a
/// server reached with a password, it is `url`'s own user.
std::string wrong_password_url(const orm::DatabaseUrl& url, std::string_view password);

/// `url` with `password` added when the server does not ask for one (the workbook's own cluster,
/// where peer authentication ignores it), so that a test can see whether a program prints the
/// password; `url` as it is (with its own password) otherwise.
std::string url_with_unused_password(const orm::DatabaseUrl& url, std::string_view password);

/// Directory for this process's scratch files (created on first call, removed at exit).
const std::string& scratch_directory();

}  // namespace testing_support
