// expect: orm: filter_by: an integer column takes an integer value, not a floating-point one
//
// Does not compile: 1.9 would be cut to 1 and match the row with id 1.
// (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Book>().filter_by(&models::Book::id, 1.9).count();
}
