// expect: orm: filter_by: a bool column takes a bool value
//
// Does not compile: 1 is not a bool. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Everything>().filter_by(&models::Everything::flag, 1).count();
}
