// expect: orm: filter_by: a numeric column takes a number
//
// Does not compile: a string for an integer column. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Book>().filter_by(&models::Book::id, "1").count();
}
