// The values the compile-error cases are refused for have types that do compile here, so each
// case fails for its own reason only. (tests/lib/expect_compile_error.cmake)
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "orm/orm.hpp"
#include "test_models.hpp"

void query(orm::Session& session) {
  using models::Book;
  using models::Everything;
  session.query<Book>().filter_by(&Book::id, 1).count();
  session.query<Book>().filter_by(&Book::id, 1LL).count();
  session.query<Book>().filter_by(&Book::id, std::optional<long>(1)).count();
  session.query<Book>().filter_by(&Book::id, std::nullopt).count();
  session.query<Everything>().filter_by(&Everything::flag, true).count();
  session.query<Book>().filter_by(&Book::title, "1").count();
  session.query<Book>().filter_by(&Book::title, std::string("1")).count();
  session.query<Book>().filter_by(&Book::title, std::string_view("1")).count();
  session.query<Everything>().filter_by(&Everything::precise, 1).count();
  session.query<Everything>().filter_by(&Everything::ratio, 1.5).count();
  session.query<Everything>()
      .filter_by(&Everything::at,
                 std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()))
      .count();
  session.query<Everything>().filter_by(&Everything::at, orm::timestamp_infinity).count();
  session.get<Book>(1.5);  // compiles, and throws orm::ValueError (tests/lib/values_test.cpp)
}
