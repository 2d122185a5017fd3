// expect: orm: filter_by: an integer column takes an integer value, not a floating-point one
//
// Does not compile: the same inside std::optional. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Book>().filter_by(&models::Book::id, std::optional<double>(1.5)).count();
}
