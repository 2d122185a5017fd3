#include "orm/types.hpp"

#include <date/date.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace orm {
namespace {

template <class Int>
Int parse_integer(std::string_view text) {
  Int value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) {
    throw std::out_of_range("'" + std::string(text) + "' is out of range");
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("'" + std::string(text) + "' is not an integer");
  }
  return value;
}

template <class Float>
std::string format_float(Float value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact
  return std::string(buffer, result.ptr);
}

template <class Float>
Float parse_float(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<Float>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<Float>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<Float>::infinity();
  Float value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a number");
  }
  return value;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 0 is 1 BC), and back,
// with the date library. date::year holds -32767..32767 but PostgreSQL's years reach 294276, so
// the conversion runs within one 400-year cycle of the calendar (146097 days) and adds whole
// cycles.
constexpr std::int64_t kDaysPer400Years = 146097;

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  const std::int64_t cycles = floor_div(year, 400);
  const date::year_month_day date{date::year{static_cast<int>(year - cycles * 400)},
                                  date::month{month}, date::day{day}};
  if (!date.ok()) throw std::invalid_argument("no such date");
  return date::sys_days{date}.time_since_epoch().count() + cycles * kDaysPer400Years;
}

struct Civil {
  std::int64_t year;  // astronomical
  unsigned month, day;
};

Civil civil_from_days(std::int64_t days) {
  const std::int64_t cycles = floor_div(days, kDaysPer400Years);
  const date::year_month_day date{date::sys_days{date::days{days - cycles * kDaysPer400Years}}};
  return {static_cast<int>(date.year()) + cycles * 400, static_cast<unsigned>(date.month()),
          static_cast<unsigned>(date.day())};
}

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

// Reads `count` digits at `pos`.
unsigned digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) throw std::invalid_argument("timestamp too short");
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') throw std::invalid_argument("bad digit in timestamp");
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

}  // namespace

bool ColumnTraits<bool>::from_text(std::string_view text) {
  if (text == "t" || text == "true") return true;
  if (text == "f" || text == "false") return false;
  throw std::invalid_argument("'" + std::string(text) + "' is not a boolean");
}

std::int16_t ColumnTraits<std::int16_t>::from_text(std::string_view text) {
  return parse_integer<std::int16_t>(text);
}
int ColumnTraits<int>::from_text(std::string_view text) {
  return parse_integer<int>(text);
}
long ColumnTraits<long>::from_text(std::string_view text) {
  return parse_integer<long>(text);
}
long long ColumnTraits<long long>::from_text(std::string_view text) {
  return parse_integer<long long>(text);
}

std::string ColumnTraits<float>::to_text(float value) {
  return format_float(value);
}
float ColumnTraits<float>::from_text(std::string_view text) {
  return parse_float<float>(text);
}
std::string ColumnTraits<double>::to_text(double value) {
  return format_float(value);
}
double ColumnTraits<double>::from_text(std::string_view text) {
  return parse_float<double>(text);
}

std::string ColumnTraits<std::string>::to_text(const std::string& value) {
  if (value.find('\0') != std::string::npos) {
    throw std::invalid_argument(
        "the text contains a NUL byte (\\0), which PostgreSQL text cannot store; remove it");
  }
  return value;
}

std::string ColumnTraits<Timestamp>::to_text(Timestamp value) {
  if (value == timestamp_infinity) return "infinity";
  if (value == timestamp_minus_infinity) return "-infinity";
  const std::int64_t micros = value.time_since_epoch().count();
  const std::int64_t days = floor_div(micros, kMicrosPerDay);
  const std::int64_t rest = micros - days * kMicrosPerDay;
  const Civil date = civil_from_days(days);
  const bool bc = date.year <= 0;  // PostgreSQL writes 1 BC for year 0, 2 BC for -1, ...
  const auto seconds_of_day = rest / 1'000'000;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%06lld+00%s",
                static_cast<long long>(bc ? 1 - date.year : date.year), date.month, date.day,
                static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60),
                static_cast<long long>(rest % 1'000'000), bc ? " BC" : "");
  return buffer;
}

Timestamp ColumnTraits<Timestamp>::from_text(std::string_view text) {
  if (text == "infinity") return timestamp_infinity;
  if (text == "-infinity") return timestamp_minus_infinity;
  // "Y...Y-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC]" (DateStyle ISO, any TimeZone); the year
  // has four digits or more.
  const auto not_iso = [&] {
    return std::invalid_argument("'" + std::string(text) + "' is not an ISO timestamp");
  };
  std::size_t year_digits = 0;
  while (year_digits < text.size() && text[year_digits] >= '0' && text[year_digits] <= '9') {
    ++year_digits;
  }
  if (year_digits < 4 || year_digits > 6) throw not_iso();
  const std::size_t d = year_digits;  // the date's other fields follow the year
  if (text.size() < d + 15 || text[d] != '-' || text[d + 3] != '-' || text[d + 6] != ' ' ||
      text[d + 9] != ':' || text[d + 12] != ':') {
    throw not_iso();
  }
  std::int64_t year = digits(text, 0, year_digits);
  const unsigned month = digits(text, d + 1, 2), day = digits(text, d + 4, 2);
  const unsigned hour = digits(text, d + 7, 2), minute = digits(text, d + 10, 2),
                 second = digits(text, d + 13, 2);
  if (hour > 23 || minute > 59 || second > 59) throw not_iso();
  std::size_t pos = d + 15;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    std::int64_t scale = 100'000;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      if (scale == 0) throw not_iso();  // more than microseconds
      micros += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    offset_seconds = std::int64_t{digits(text, pos + 1, 2)} * 3600;
    pos += 3;
    if (pos < text.size() && text[pos] == ':') {
      offset_seconds += std::int64_t{digits(text, pos + 1, 2)} * 60;
      pos += 3;
    }
    if (pos < text.size() && text[pos] == ':') {
      offset_seconds += digits(text, pos + 1, 2);
      pos += 3;
    }
    offset_seconds *= sign;
  }
  if (text.substr(pos) == " BC") {
    year = 1 - year;
    pos = text.size();
  }
  if (pos != text.size()) throw not_iso();

  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t seconds =
      hour * std::int64_t{3600} + minute * std::int64_t{60} + second - offset_seconds;
  std::int64_t total = 0;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &total) ||
      __builtin_add_overflow(total, seconds * 1'000'000 + micros, &total) ||
      total >= timestamp_infinity.time_since_epoch().count() ||
      total <= timestamp_minus_infinity.time_since_epoch().count()) {
    throw std::out_of_range("'" + std::string(text) + "' is " +
                            (days > 0 ? "after 294247-01-10 04:00:54.775806 UTC, the last"
                                      : "before 290309-12-21 19:59:05.224193 BC UTC, the first") +
                            " instant orm::Timestamp holds (64-bit microseconds since 1970)");
  }
  return Timestamp(std::chrono::microseconds(total));
}

}  // namespace orm
