/// @file
/// How C++ values map to PostgreSQL columns: the SQL type of each C++ type and its text form.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orm {

/// A point in time, stored as `timestamp with time zone`: microseconds since 1970-01-01 UTC, in
/// the proleptic Gregorian calendar. It is the type `date::sys_time<std::chrono::microseconds>`
/// of Howard Hinnant's date library (what C++20 calls `std::chrono::sys_time`); include
/// `<date/date.h>` for calendar dates, as in the second line below. This header leaves it out:
/// every file that includes the library would pay for parsing it.
///
/// Every PostgreSQL timestamp from its first, 4714-11-24 00:00:00 BC, to 294247-01-10
/// 04:00:54.775806 AD round-trips exactly, BC dates included; `infinity` and `-infinity` are
/// Timestamp::max() and Timestamp::min() (orm::timestamp_infinity,
/// orm::timestamp_minus_infinity). PostgreSQL's last 30 years, from 294247-01-10 04:00:54.775807
/// to 294276-12-31, do not fit in 64 bits of microseconds since 1970: reading one throws
/// orm::ValueError.
///
/// @code
/// orm::Timestamp now = std::chrono::floor<std::chrono::microseconds>(
///     std::chrono::system_clock::now());
/// orm::Timestamp ides = date::sys_days{date::year{-43} / date::March / 15};  // 44 BC
/// @endcode
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
/// PostgreSQL's `infinity` timestamp (later than every other).
inline constexpr Timestamp timestamp_infinity = Timestamp::max();
/// PostgreSQL's `-infinity` timestamp (earlier than every other).
inline constexpr Timestamp timestamp_minus_infinity = Timestamp::min();

/// Converts one C++ type to and from PostgreSQL's text format.
///
/// Specialised for these member types (`std::optional<T>` of any of them is a nullable column):
///
/// | C++ member type | PostgreSQL column type |
/// | --- | --- |
/// | `bool` | `boolean` |
/// | `std::int16_t` | `smallint` |
/// | `int` | `integer` |
/// | `std::int64_t` (`long`), `long long` | `bigint` |
/// | `float` | `real` |
/// | `double` | `double precision` |
/// | `std::string` | `text`, or `character varying(n)` with orm::varchar(n) |
/// | orm::Timestamp | `timestamp with time zone` |
///
/// Each specialisation has:
///  - `sql_type`: the type as PostgreSQL's `format_type()` spells it,
///  - `to_text(value)`: the parameter text sent to the server,
///  - `from_text(text)`: the value from the server's text; throws std::invalid_argument or
///    std::out_of_range, which the caller turns into orm::ValueError naming the column.
template <class T>
struct ColumnTraits;

/// @cond SPECIALISATIONS
// The specialisations, one per row of the table above.

template <>
struct ColumnTraits<bool> {
  static constexpr const char* sql_type = "boolean";
  static std::string to_text(bool value) { return value ? "true" : "false"; }
  static bool from_text(std::string_view text);
};

template <>
struct ColumnTraits<std::int16_t> {
  static constexpr const char* sql_type = "smallint";
  static std::string to_text(std::int16_t value) { return std::to_string(value); }
  static std::int16_t from_text(std::string_view text);
};

template <>
struct ColumnTraits<int> {
  static constexpr const char* sql_type = "integer";
  static std::string to_text(int value) { return std::to_string(value); }
  static int from_text(std::string_view text);
};

template <>
struct ColumnTraits<long> {
  static constexpr const char* sql_type = "bigint";
  static std::string to_text(long value) { return std::to_string(value); }
  static long from_text(std::string_view text);
};

template <>
struct ColumnTraits<long long> {
  static constexpr const char* sql_type = "bigint";
  static std::string to_text(long long value) { return std::to_string(value); }
  static long long from_text(std::string_view text);
};

template <>
struct ColumnTraits<float> {
  static constexpr const char* sql_type = "real";
  static std::string to_text(float value);
  static float from_text(std::string_view text);
};

template <>
struct ColumnTraits<double> {
  static constexpr const char* sql_type = "double precision";
  static std::string to_text(double value);
  static double from_text(std::string_view text);
};

template <>
struct ColumnTraits<std::string> {
  static constexpr const char* sql_type = "text";
  /// Throws std::invalid_argument when `value` holds a NUL byte (PostgreSQL text cannot).
  static std::string to_text(const std::string& value);
  static std::string from_text(std::string_view text) { return std::string(text); }
};

template <>
struct ColumnTraits<Timestamp> {
  static constexpr const char* sql_type = "timestamp with time zone";
  /// ISO 8601 in UTC with microseconds, e.g. "2026-11-25 18:40:12.123456+00" or
  /// "0044-03-15 12:00:00.000000+00 BC"; "infinity" and "-infinity" for max() and min().
  static std::string to_text(Timestamp value);
  /// Accepts PostgreSQL's ISO output with any UTC offset and a BC suffix, e.g.
  /// "2026-11-25 19:40:12+01" or "0044-03-15 17:53:28+05:53:28 BC".
  static Timestamp from_text(std::string_view text);
};
/// @endcond

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct value_type {
  using type = T;
};
template <class T>
struct value_type<std::optional<T>> {
  using type = T;
};
}  // namespace detail

/// True for `std::optional<T>`: such members are nullable columns.
template <class T>
inline constexpr bool is_nullable_v = detail::is_optional<T>::value;

/// The stored type: `T` for both `T` and `std::optional<T>`.
template <class T>
using column_value_t = typename detail::value_type<T>::type;

}  // namespace orm
