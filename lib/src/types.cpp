#include "orm/types.hpp"

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

// Days since 1970-01-01 of a proleptic Gregorian date, and back. Eras of 400 years (146097 days)
// make the arithmetic exact; March-based years put the leap day at the end of the year.
constexpr std::int64_t days_from_date(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct Date {
  std::int64_t year;
  unsigned month, day;
};

constexpr Date date_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const unsigned month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
  return {year, month, day};
}

static_assert(days_from_date(1970, 1, 1) == 0);
static_assert(days_from_date(2000, 3, 1) == 11017);
static_assert(date_from_days(11017).year == 2000 && date_from_days(11017).month == 3);

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
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(value.time_since_epoch()).count();
  std::int64_t days = micros / 86'400'000'000;
  std::int64_t rest = micros % 86'400'000'000;
  if (rest < 0) {
    rest += 86'400'000'000;
    days -= 1;
  }
  const Date date = date_from_days(days);
  const auto seconds_of_day = rest / 1'000'000;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%06lld+00",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60),
                static_cast<long long>(rest % 1'000'000));
  return buffer;
}

Timestamp ColumnTraits<Timestamp>::from_text(std::string_view text) {
  // "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]]" (DateStyle ISO, any TimeZone).
  const auto year = digits(text, 0, 4);
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    throw std::invalid_argument("'" + std::string(text) + "' is not an ISO timestamp");
  }
  std::int64_t micros = 0;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    std::int64_t scale = 100'000;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    offset_seconds = digits(text, pos + 1, 2) * 3600;
    if (pos + 3 < text.size() && text[pos + 3] == ':')
      offset_seconds += digits(text, pos + 4, 2) * 60;
    if (pos + 6 < text.size() && text[pos + 6] == ':') offset_seconds += digits(text, pos + 7, 2);
    offset_seconds *= sign;
  }
  const std::int64_t days = days_from_date(year, digits(text, 5, 2), digits(text, 8, 2));
  const std::int64_t seconds = days * 86400 + digits(text, 11, 2) * 3600 +
                               digits(text, 14, 2) * 60 + digits(text, 17, 2) - offset_seconds;
  return Timestamp(std::chrono::duration_cast<Timestamp::duration>(
      std::chrono::microseconds(seconds * 1'000'000 + micros)));
}

}  // namespace orm
