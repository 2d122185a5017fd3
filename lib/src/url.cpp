#include "orm/url.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "orm/errors.hpp"
#include "translate.hpp"

namespace orm {
namespace {

using detail::one_line;

constexpr std::string_view kUrlShape = "postgresql://user:password@host:port/dbname";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string replace_all(std::string text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return text;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + with.size())) {
    text.replace(pos, needle.size(), with);
  }
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Before libpq has parsed anything, the password is whatever sits between the first ':' after
// the scheme and the last '@'. Used only to scrub error texts, so erring wide is fine.
std::string raw_password(std::string_view after_scheme) {
  auto at = after_scheme.rfind('@');
  auto colon = after_scheme.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return {};
  return std::string(after_scheme.substr(colon + 1, at - colon - 1));
}

std::string scrub_password(std::string text, std::string_view raw) {
  if (raw.empty()) return text;
  text = replace_all(std::move(text), raw, "***");
  return replace_all(std::move(text), percent_decode(raw), "***");
}

bool is_secret(std::string_view keyword) {
  return keyword == "password" || keyword == "sslpassword";
}

}  // namespace

DatabaseUrl DatabaseUrl::parse(std::string_view uri) {
  const auto sep = uri.find("://");
  if (sep == std::string_view::npos) {
    throw ConfigError("not a connection URL: expected " + std::string(kUrlShape));
  }
  const std::string scheme = lower(uri.substr(0, sep));
  const std::string base_scheme = scheme.substr(0, scheme.find('+'));
  if (base_scheme != "postgresql" && base_scheme != "postgres") {
    throw ConfigError("unsupported URL scheme '" + one_line(scheme) + "': use a PostgreSQL URL, " +
                      std::string(kUrlShape));
  }
  const std::string_view rest = uri.substr(sep + 3);
  const std::string raw = raw_password(rest);
  const std::string normalized = "postgresql://" + std::string(rest);

  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(normalized.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string reason = error ? one_line(error) : "out of memory";
    PQfreemem(error);
    throw ConfigError("invalid connection URL: " + scrub_password(reason, raw) + " (expected " +
                      std::string(kUrlShape) + ")");
  }

  DatabaseUrl url;
  for (auto* opt = options.get(); opt->keyword != nullptr; ++opt) {
    if (opt->val != nullptr) url.options_.emplace_back(opt->keyword, opt->val);
  }

  if (const std::string* port = url.find("port")) {
    std::string_view ports = *port;
    while (true) {
      const auto comma = ports.find(',');
      const std::string_view one = ports.substr(0, comma);
      const bool digits =
          !one.empty() && one.size() <= 5 &&
          std::all_of(one.begin(), one.end(), [](unsigned char c) { return std::isdigit(c); });
      const long value = digits ? std::strtol(std::string(one).c_str(), nullptr, 10) : 0;
      if (value < 1 || value > 65535) {
        throw ConfigError("invalid port '" + scrub_password(one_line(std::string(one)), raw) +
                          "' in connection URL: use a number from 1 to 65535, e.g. "
                          "localhost:5432");
      }
      if (comma == std::string_view::npos) break;
      ports.remove_prefix(comma + 1);
    }
  }
  if (const std::string* db = url.find("dbname")) validate_database_name(*db);
  return url;
}

const std::string* DatabaseUrl::find(std::string_view keyword) const {
  for (const auto& [key, value] : options_) {
    if (key == keyword) return &value;
  }
  return nullptr;
}

void DatabaseUrl::set(std::string_view keyword, std::string value) {
  for (auto& [key, old] : options_) {
    if (key == keyword) {
      old = std::move(value);
      return;
    }
  }
  options_.emplace_back(std::string(keyword), std::move(value));
}

std::string DatabaseUrl::host() const {
  const std::string* host = find("host");
  return host ? *host : std::string();
}

int DatabaseUrl::port() const {
  const std::string* port = find("port");
  return port ? std::atoi(port->c_str()) : 5432;
}

std::string DatabaseUrl::user() const {
  const std::string* user = find("user");
  return user ? *user : std::string();
}

std::string DatabaseUrl::database() const {
  const std::string* db = find("dbname");
  return db ? *db : std::string();
}

bool DatabaseUrl::has_password() const {
  const std::string* password = find("password");
  return password != nullptr && !password->empty();
}

DatabaseUrl DatabaseUrl::with_database(std::string_view name) const {
  validate_database_name(name);
  DatabaseUrl copy = *this;
  copy.set("dbname", std::string(name));
  return copy;
}

std::string DatabaseUrl::server() const {
  const std::string h = host();
  if (h.empty()) return "the local unix socket (port " + std::to_string(port()) + ")";
  if (h.front() == '/') return "unix socket " + h + " (port " + std::to_string(port()) + ")";
  return h + ":" + std::to_string(port());
}

std::string DatabaseUrl::masked() const {
  return render(true);
}

std::string DatabaseUrl::uri_with_password() const {
  return render(false);
}

std::string DatabaseUrl::render(bool mask) const {
  std::string out = "postgresql://";
  const std::string* user = find("user");
  if (user != nullptr || has_password()) {
    if (user != nullptr) out += percent_encode(*user);
    if (has_password())
      out += ":" + (mask ? std::string("***") : percent_encode(*find("password")));
    out += '@';
  }
  const std::string h = host();
  const bool socket_host = !h.empty() && h.front() == '/';
  if (!socket_host) out += h;  // a comma-separated host list stays readable as it is
  if (const std::string* port = find("port")) out += ":" + *port;
  out += "/" + percent_encode(database());
  char joiner = '?';
  if (socket_host) {
    out += joiner + std::string("host=") + percent_encode(h);
    joiner = '&';
  }
  for (const auto& [key, value] : options_) {
    if (key == "user" || key == "password" || key == "host" || key == "port" || key == "dbname") {
      continue;
    }
    out +=
        joiner + key + "=" + (mask && is_secret(key) ? std::string("***") : percent_encode(value));
    joiner = '&';
  }
  return out;
}

std::string DatabaseUrl::conninfo() const {
  std::string out;
  for (const auto& [key, value] : options_) {
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

std::string DatabaseUrl::scrub(std::string text) const {
  for (const auto& [key, value] : options_) {
    if (is_secret(key) && !value.empty()) {
      text = replace_all(std::move(text), value, "***");
      text = replace_all(std::move(text), percent_encode(value), "***");
    }
  }
  return text;
}

void validate_database_name(std::string_view name) {
  if (name.empty()) {
    throw ConfigError(
        "the database name is empty: put it after the last '/' of the URL, e.g. "
        "postgresql://postgres:postgres@localhost:5432/hello_books_development");
  }
  if (name.find('\0') != std::string_view::npos) {
    throw ConfigError("invalid database name: it contains a NUL byte; use letters, digits and _");
  }
  if (name.size() > 63) {
    throw ConfigError("invalid database name '" + std::string(name.substr(0, 20)) + "...': it is " +
                      std::to_string(name.size()) +
                      " bytes long, PostgreSQL allows at most 63; choose a shorter name");
  }
  if (std::isspace(static_cast<unsigned char>(name.front())) ||
      std::isspace(static_cast<unsigned char>(name.back()))) {
    throw ConfigError("invalid database name '" + one_line(std::string(name)) +
                      "': it starts or ends with a space; remove the space");
  }
}

std::string env_or(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? std::string(value) : std::string(fallback);
}

}  // namespace orm
