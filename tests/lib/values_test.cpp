// Do not change this file: it checks the orm library (label: lib).
//
// Values round-trip byte-exact through PostgreSQL; values it cannot store are refused clearly.
#include <date/date.h>
#include <catch2/catch.hpp>
#include <pqxx/result>

#include <chrono>
#include <cmath>
#include <limits>

#include "orm/orm.hpp"
#include "test_database.hpp"
#include "test_models.hpp"

using models::Book;
using models::Everything;
using models::with_code;

namespace {

struct Fixture : models::TablesFixture {
  // Stores `book` and loads it back through a new session.
  Book round_trip(Book book) {
    orm::Session writer(db);
    writer.add(book);
    writer.commit();
    orm::Session reader(db);
    auto loaded = reader.get<Book>(book.id);
    REQUIRE(loaded);
    return *loaded;
  }
};

orm::Timestamp at_micros(long long micros) {
  return orm::Timestamp(
      std::chrono::duration_cast<orm::Timestamp::duration>(std::chrono::microseconds(micros)));
}

}  // namespace

TEST_CASE_METHOD(Fixture, "NULL and empty strings stay distinct", "[values]") {
  Book none;
  none.title = "";
  CHECK(round_trip(none).description == std::nullopt);
  CHECK(round_trip(none).title.empty());
  Book empty;
  empty.title = "x";
  empty.description = "";
  CHECK(round_trip(empty).description == std::optional<std::string>(""));
}

TEST_CASE_METHOD(Fixture, "unicode, quotes and very long strings round-trip byte-exact",
                 "[values]") {
  const std::vector<std::string> samples = {
      u8"Ocean Book \U0001F30A — 海の本 — Ωκεανός",
      "it's \"quoted\" \\ backslashed {braces}, commas, NULL",
      "line one\nline two\ttabbed\r\n",
      std::string(1'000'000, 'x') + u8"é",
  };
  for (const auto& text : samples) {
    Book book;
    book.title = text;
    book.description = text;
    const Book loaded = round_trip(book);
    CHECK(loaded.title == text);
    CHECK(loaded.description == std::optional<std::string>(text));
  }
  // The same values through a multi-row insert (array literals).
  std::vector<Book> many(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) many[i].title = samples[i];
  orm::Session session(db);
  session.add_all(many);
  session.commit();
  for (const auto& book : many) CHECK(session.get<Book>(book.id)->title == book.title);
}

TEST_CASE_METHOD(Fixture, "a string holding a NUL byte is refused, naming the column",
                 "[values][errors]") {
  orm::Session session(db);
  Book book;
  book.title = std::string("before\0after", 12);
  CHECK_THROWS_AS(session.add(book), orm::ValueError);  // before anything is sent
  book.title = "fine";
  book.description = std::string("a\0b", 3);
  CHECK_THROWS_WITH(session.add(book),
                    Catch::StartsWith("books.description: the text contains a NUL byte"));
  std::vector<Book> books(3);
  books[2].title = std::string("\0", 1);
  CHECK_THROWS_AS(session.add_all(books), orm::ValueError);
  session.commit();
  CHECK(session.query<Book>().count() == 0);  // nothing half-written
  CHECK_THROWS_AS(session.query<Book>().filter_by(&Book::title, std::string("x\0", 2)),
                  orm::ValueError);
}

TEST_CASE_METHOD(Fixture, "every supported type round-trips", "[values]") {
  Everything e;
  e.small = -32768;
  e.number = std::numeric_limits<int>::min();
  e.big = std::numeric_limits<long>::max();
  e.ratio = 0.1f;
  e.precise = 0.1 + 0.2;
  e.flag = true;
  e.text = "text";
  e.code = "ABC-123";
  e.at = at_micros(1'764'095'412'123'456);  // 2025-11-25 18:30:12.123456 UTC
  e.maybe_number = 7;
  e.maybe_text = std::nullopt;
  e.maybe_at = at_micros(-1'000'000);  // 1969-12-31 23:59:59 UTC
  orm::Session session(db);
  session.add(e);
  session.commit();
  CHECK(e.id == 1);
  auto loaded = session.get<Everything>(e.id);
  REQUIRE(loaded);
  CHECK(loaded->small == e.small);
  CHECK(loaded->number == e.number);
  CHECK(loaded->big == e.big);
  CHECK(loaded->ratio == e.ratio);
  CHECK(loaded->precise == e.precise);
  CHECK(loaded->flag);
  CHECK(loaded->code == "ABC-123");
  CHECK(loaded->at == e.at);
  CHECK(loaded->maybe_number == std::optional<int>(7));
  CHECK_FALSE(loaded->maybe_text);
  CHECK(loaded->maybe_at == e.maybe_at);
  auto text = session.execute("SELECT at::text, maybe_at::text FROM everything");
  CHECK(text[0][0].as<std::string>() == "2025-11-25 18:30:12.123456+00");
  CHECK(text[0][1].as<std::string>() == "1969-12-31 23:59:59+00");
}

TEST_CASE_METHOD(Fixture, "timestamps in other time zones are read correctly", "[values]") {
  orm::Session session(db);
  session.execute("SET TIME ZONE 'Asia/Kolkata'");
  auto rows = session.execute("SELECT '2026-11-25 18:40:12.5+00'::timestamptz::text");
  CHECK(rows[0][0].as<std::string>() == "2026-11-26 00:10:12.5+05:30");
  CHECK(orm::ColumnTraits<orm::Timestamp>::from_text(rows[0][0].as<std::string>()) ==
        orm::ColumnTraits<orm::Timestamp>::from_text("2026-11-25 18:40:12.5+00"));
}

TEST_CASE_METHOD(Fixture, "special floating-point values round-trip", "[values]") {
  int n = 0;
  for (double value : {std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity(), -0.0, 1e308, 5e-324}) {
    Everything e;
    e.code = "c" + std::to_string(n++);
    e.precise = value;
    orm::Session session(db);
    session.add(e);
    session.commit();
    CHECK(session.get<Everything>(e.id)->precise == value);
  }
  Everything nan;
  nan.code = "nan";
  nan.precise = std::numeric_limits<double>::quiet_NaN();
  orm::Session session(db);
  session.add(nan);
  session.commit();
  CHECK(std::isnan(session.get<Everything>(nan.id)->precise));
}

TEST_CASE_METHOD(Fixture, "a server default fills rows inserted without the column", "[values]") {
  orm::Session session(db);
  session.execute(
      "INSERT INTO everything (small, number, big, ratio, precise, flag, text, code, at) "
      "VALUES (0, 0, 0, 0, 0, false, '', 'raw', now())");
  auto loaded = session.query<Everything>().filter_by(&Everything::code, "raw").first();
  REQUIRE(loaded);
  CHECK(loaded->status == "new");
}

TEST_CASE_METHOD(Fixture, "NULL in a non-optional member is explained", "[values][errors]") {
  orm::Session session(db);
  session.execute("ALTER TABLE books ALTER COLUMN title DROP NOT NULL");
  session.execute("INSERT INTO books (title) VALUES (NULL)");
  CHECK_THROWS_WITH(session.all<Book>(),
                    Catch::StartsWith("books.title: the database holds NULL") &&
                        Catch::Contains("std::optional"));
}

// -- Strings too long for their column: every write path fails as a single add does. --------

namespace {

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// Runs `write` and expects PostgreSQL's "value too long" (SQLSTATE 22001).
template <class Write>
void expect_too_long(Write write) {
  try {
    write();
    FAIL("expected SQLSTATE 22001 (value too long)");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "22001");
    CHECK_THAT(e.what(), Catch::Contains("character varying(12)"));
  }
}

}  // namespace

TEST_CASE_METHOD(Fixture, "every write path refuses a string too long for its varchar column",
                 "[values][errors]") {
  // everything.code is varchar(12): 12 characters fit, 13 do not, whatever their bytes.
  struct Case {
    std::string fits, fits_too, too_long;
  };
  const std::vector<Case> cases = {
      {repeat("x", 12), repeat("y", 12), repeat("x", 13)},
      {repeat(u8"é", 12), repeat(u8"ê", 12), repeat(u8"é", 13)},  // 2 bytes each
      {repeat(u8"\U0001F30A", 12), repeat(u8"\U0001F332", 12),
       repeat(u8"\U0001F30A", 12) + "x"},  // 4 bytes each
  };
  for (const auto& [fits, fits_too, too_long] : cases) {
    INFO("code: " << too_long);
    orm::Session session(db);
    session.execute("TRUNCATE everything RESTART IDENTITY");

    Everything one = with_code(too_long);
    expect_too_long([&] { session.add(one); });

    std::vector<Everything> single = {with_code(too_long)};
    expect_too_long([&] { session.add_all(single); });

    std::vector<Everything> pair = {with_code("ok"), with_code(too_long)};
    expect_too_long([&] { session.add_all(pair); });

    std::vector<Everything> many;
    for (int i = 0; i < 500; ++i) many.push_back(with_code("c" + std::to_string(i)));
    many[250].code = too_long;
    expect_too_long([&] { session.add_all(many); });
    CHECK(session.query<Everything>().count() == 0);  // nothing was cut and stored

    // The longest values that fit go through every path, byte-exact.
    Everything stored = with_code(fits);
    session.add(stored);
    std::vector<Everything> both = {with_code(fits_too), with_code("b")};
    session.add_all(both);
    session.commit();
    CHECK(session.get<Everything>(stored.id)->code == fits);
    CHECK(session.get<Everything>(both[0].id)->code == fits_too);

    stored.code = too_long;
    session.update(stored);
    expect_too_long([&] { session.commit(); });
    CHECK(session.get<Everything>(stored.id)->code == fits);
  }
}

// -- Values a column cannot hold: refused, never narrowed into another row's value. ----------

TEST_CASE_METHOD(Fixture, "a value the column's type cannot hold throws instead of matching",
                 "[values][errors][query]") {
  orm::Session session(db);
  Everything narrowed = with_code("narrowed");
  narrowed.number = static_cast<int>(3000000000LL - 4294967296LL);  // 3000000000 cut to 32 bits
  narrowed.small = static_cast<std::int16_t>(40000 - 65536);
  narrowed.ratio = 0.1f;
  narrowed.precise = 9007199254740992.0;  // 2^53
  session.add(narrowed);
  session.commit();
  auto count = [&](auto member, auto value) {
    return session.query<Everything>().filter_by(member, value).count();
  };

  CHECK_THROWS_WITH(count(&Everything::number, 3000000000LL),
                    Catch::StartsWith("everything.number: 3000000000 does not fit the column's "
                                      "type integer"));
  CHECK_THROWS_AS(count(&Everything::number, 4294967295u), orm::ValueError);
  CHECK_THROWS_AS(count(&Everything::small, 40000), orm::ValueError);
  CHECK_THROWS_AS(count(&Everything::big, std::numeric_limits<unsigned long>::max()),
                  orm::ValueError);
  CHECK_THROWS_AS(count(&Everything::maybe_number, std::optional<long>(1L << 40)), orm::ValueError);
  CHECK(count(&Everything::number, static_cast<long long>(narrowed.number)) == 1);
  CHECK(count(&Everything::small, -25536L) == 1);
  CHECK(count(&Everything::big, 0u) == 1);

  // Floating point: only exact values.
  CHECK_THROWS_WITH(count(&Everything::ratio, 0.1),
                    Catch::Contains("does not fit the column's type real exactly"));
  CHECK(count(&Everything::ratio, 0.1f) == 1);
  CHECK(count(&Everything::ratio, 0.5) == 0);                             // 0.5 is exact in a float
  CHECK_THROWS_AS(count(&Everything::ratio, 16777217), orm::ValueError);  // 2^24 + 1
  CHECK_THROWS_AS(count(&Everything::precise, 9007199254740993LL), orm::ValueError);
  CHECK(count(&Everything::precise, 9007199254740992LL) == 1);

  // get: the key must fit the primary key's type (books.id is integer).
  Book book;
  book.title = "key";
  session.add(book);
  session.commit();
  CHECK_THROWS_WITH(session.get<Book>(3000000000LL),
                    Catch::StartsWith("books.id: 3000000000 does not fit"));
  CHECK_THROWS_WITH(session.get<Book>(1.0), Catch::Contains("a key of type double cannot match"));
  CHECK_THROWS_AS(session.get<Book>(true), orm::ValueError);
  CHECK_THROWS_AS(session.get<Book>(std::string("1")), orm::ValueError);
  CHECK(session.get<Book>(static_cast<long long>(book.id)));
  CHECK(session.get<Book>(static_cast<unsigned char>(book.id)));
  CHECK_FALSE(session.get<Everything>(3000000000LL));  // a bigint key holds it: no such row
}

// -- Timestamps: PostgreSQL's whole range, microseconds, BC, infinity. -----------------------

namespace {

orm::Timestamp parse(const std::string& text) {
  return orm::ColumnTraits<orm::Timestamp>::from_text(text);
}

}  // namespace

TEST_CASE_METHOD(Fixture, "timestamps round-trip across PostgreSQL's range", "[values][time]") {
  // As PostgreSQL prints them in UTC. The old nanosecond type held 1677-09-21 00:12:43.145224
  // to 2262-04-11 23:47:16.854775 only.
  const std::vector<std::string> samples = {
      "4714-11-24 00:00:00+00 BC",  // PostgreSQL's first
      "4714-11-24 00:00:00.000001+00 BC",
      "0044-03-15 12:00:00+00 BC",
      "0001-02-29 06:00:00+00 BC",  // 1 BC is a leap year
      "0001-12-31 23:59:59.999999+00 BC",
      "0001-01-01 00:00:00+00",
      "0004-02-29 00:00:00+00",
      "1677-09-21 00:12:43.145223+00",
      "1677-09-21 00:12:43.145224+00",
      "1900-02-28 23:59:59.999999+00",
      "1969-12-31 23:59:59.999999+00",
      "1970-01-01 00:00:00+00",
      "2000-02-29 12:34:56.000001+00",
      "2262-04-11 23:47:16.854775+00",
      "2262-04-11 23:47:16.854776+00",
      "2263-01-01 00:00:00+00",
      "9999-12-31 23:59:59.999999+00",
      "10000-01-01 00:00:00+00",
      "32768-02-29 00:00:00+00",          // past date::year's range
      "294247-01-10 04:00:54.775806+00",  // the last instant orm::Timestamp holds
      "infinity",
      "-infinity",
  };
  orm::Session session(db);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    INFO(samples[i]);
    const orm::Timestamp at = parse(samples[i]);
    const std::string text = orm::ColumnTraits<orm::Timestamp>::to_text(at);
    CHECK(parse(text) == at);
    Everything e = with_code("t" + std::to_string(i));
    e.at = at;
    e.maybe_at = at;
    session.add(e);
    std::vector<Everything> pair = {with_code("p" + std::to_string(i)),
                                    with_code("q" + std::to_string(i))};
    pair[0].at = at;
    pair[1].at = at;
    session.add_all(pair);  // through the array path too
    session.commit();
    const auto loaded = session.get<Everything>(e.id);
    REQUIRE(loaded);
    CHECK(loaded->at == at);
    CHECK(loaded->maybe_at == std::optional<orm::Timestamp>(at));
    CHECK(session.get<Everything>(pair[1].id)->at == at);
    CHECK(session.execute("SELECT at::text FROM everything WHERE id = $1", e.id)[0][0]
              .as<std::string>() == samples[i]);
    CHECK(session.query<Everything>().filter_by(&Everything::at, at).count() == 3);
  }
  CHECK(parse("infinity") == orm::timestamp_infinity);
  CHECK(parse("-infinity") == orm::timestamp_minus_infinity);
  using namespace std::chrono;
  CHECK(parse("0044-03-15 12:00:00+00 BC") ==
        date::sys_days{date::year{-43} / date::March / 15} + hours{12});
  // The old type's first instant, floored to microseconds.
  CHECK(parse("1677-09-21 00:12:43.145224+00").time_since_epoch().count() == -9223372036854776LL);
}

TEST_CASE_METHOD(Fixture, "timestamps outside what either side holds are refused",
                 "[values][time][errors]") {
  orm::Session session(db);
  // PostgreSQL goes on to 294276 AD; orm::Timestamp stops at 294247-01-10 04:00:54.775806.
  session.execute(
      "INSERT INTO everything (small, number, big, ratio, precise, flag, text, code, at) VALUES "
      "(0, 0, 0, 0, 0, false, '', 'late', '294276-12-31 23:59:59.999999+00')");
  CHECK_THROWS_WITH(session.all<Everything>(),
                    Catch::StartsWith("everything.at: '294276-12-31 23:59:59.999999+00' is after "
                                      "294247-01-10 04:00:54.775806 UTC"));
  session.execute(
      "UPDATE everything SET at = '294247-01-10 04:00:54.775807+00' WHERE code = 'late'");
  CHECK_THROWS_AS(session.all<Everything>(), orm::ValueError);
  session.execute("DELETE FROM everything");

  // Before PostgreSQL's first timestamp: the server refuses it.
  Everything early = with_code("early");
  early.at = date::sys_days{date::year{-5000} / 1 / 1};
  try {
    session.add(early);
    FAIL("expected a DatabaseError");
  } catch (const orm::DatabaseError& e) {
    CHECK(e.sqlstate() == "22008");
  }

  CHECK_THROWS_AS(parse("2023-02-29 00:00:00+00"), std::invalid_argument);
  CHECK_THROWS_AS(parse("2023-01-01 00:00:00.1234567+00"), std::invalid_argument);
  CHECK_THROWS_AS(parse("23-01-01 00:00:00+00"), std::invalid_argument);
  CHECK_THROWS_AS(parse("2023-01-01 00:00:00+00 AD"), std::invalid_argument);
}

TEST_CASE_METHOD(Fixture, "timestamps in other time zones are read correctly, BC too",
                 "[values][time]") {
  orm::Session session(db);
  session.execute("SET TIME ZONE 'Asia/Kolkata'");  // local mean time before 1854: +05:53:28
  Everything e = with_code("ides");
  e.at = parse("0044-03-15 12:00:00+00 BC");
  session.add(e);
  session.commit();
  CHECK(session.execute("SELECT at::text FROM everything")[0][0].as<std::string>() ==
        "0044-03-15 17:53:28+05:53:28 BC");
  CHECK(session.get<Everything>(e.id)->at == e.at);
  session.execute("RESET TIME ZONE");
}
