// expect: orm: filter_by: a bool column takes a bool value, and a bool value matches only
//
// Does not compile: true would match the row with number 1. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Everything>().filter_by(&models::Everything::number, true).count();
}
