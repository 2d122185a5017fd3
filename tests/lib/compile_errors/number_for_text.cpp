// expect: orm: filter_by: a text column takes a string
//
// Does not compile: a number for a text column. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Book>().filter_by(&models::Book::title, 5).count();
}
