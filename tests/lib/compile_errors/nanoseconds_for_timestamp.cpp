// expect: orm: filter_by: a timestamp column takes an orm::Timestamp (microseconds)
//
// Does not compile: system_clock::now() has nanoseconds a timestamp column cannot hold.
// (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  session.query<models::Everything>()
      .filter_by(&models::Everything::at, std::chrono::system_clock::now())
      .count();
}
