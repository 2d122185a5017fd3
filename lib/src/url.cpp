#include "orm/url.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>

#include "orm/errors.hpp"
#include "translate.hpp"

namespace orm {
namespace {

using detail::one_line;

constexpr std::string_view kUrlForm = "postgresql://user:password@host:port/dbname";

// How the text was written: a URL or a libpq key=value string. Picks the wording of errors.
enum class Form { url, key_value };

// Refuses `text` in general terms: nothing after the scheme is repeated, since a password typed
// with an unencoded @ or / ends up in whatever part libpq or a reader takes it for.
[[noreturn]] void refuse(Form form, const std::string& reason) {
  if (form == Form::url) {
    throw ConfigError("the connection URL is not a valid PostgreSQL URL (" + reason +
                      "); the form is " + std::string(kUrlForm));
  }
  throw ConfigError("the connection string is not a valid libpq key=value string (" + reason +
                    "); the form is host=HOST port=PORT dbname=NAME user=USER password=PASSWORD, "
                    "or a URL " +
                    std::string(kUrlForm));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
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

bool is_secret(std::string_view keyword) {
  return keyword == "password" || keyword == "sslpassword";
}

// The connection keywords this libpq knows (host, port, dbname, sslmode, ...).
const std::set<std::string>& known_keywords() {
  static const std::set<std::string> keywords = [] {
    std::set<std::string> names{"ssl"};  // URL-only alias: ssl=true means sslmode=require
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> defaults(PQconndefaults(),
                                                                          &PQconninfoFree);
    for (auto* option = defaults.get(); option && option->keyword; ++option) {
      names.insert(option->keyword);
    }
    return names;
  }();
  return keywords;
}

// What libpq does with a URL scheme: the text before "://" must be letters, digits, + . -.
bool is_scheme(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '.' || c == '-';
  });
}

// libpq reads "user:password@" up to the first '@', and only when no '/' comes before it. A
// second '@', or a '/' before the first, means a character that should have been
// percent-encoded: libpq would take part of the password for the host, port or database.
bool ambiguous_at_sign(std::string_view rest) {
  const auto at = rest.find('@');
  if (at == std::string_view::npos) return false;
  return rest.find('/') < at || rest.find('@', at + 1) != std::string_view::npos;
}

// The general reason libpq refused a URL, found from its structure (never from libpq's text,
// which quotes the offending part).
std::string url_problem(std::string_view rest) {
  const auto query_start = rest.find('?');
  const std::string_view before_query = rest.substr(0, query_start);
  if (before_query.find('[') != std::string_view::npos &&
      before_query.find(']') == std::string_view::npos) {
    return "a '[' that starts an IPv6 host has no closing ']'";
  }
  if (query_start != std::string_view::npos) {
    std::string_view query = rest.substr(query_start + 1);
    while (true) {
      const auto amp = query.find('&');
      const std::string_view option = query.substr(0, amp);
      const auto equals = option.find('=');
      if (equals == std::string_view::npos) {
        return "an option after '?' is not written name=value";
      }
      if (option.find('=', equals + 1) != std::string_view::npos) {
        return "an option after '?' has a second '=': write = inside a value as %3D";
      }
      if (known_keywords().count(percent_decode(option.substr(0, equals))) == 0) {
        return "an option after '?' is not a libpq connection parameter";
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  return "libpq cannot read the part after '://'; check its punctuation";
}

// The general reason libpq refused a key=value string: the grammar of libpq's conninfo parser.
std::string key_value_problem(std::string_view text) {
  std::size_t i = 0;
  const auto space = [&] { return std::isspace(static_cast<unsigned char>(text[i])) != 0; };
  while (true) {
    while (i < text.size() && space()) ++i;
    if (i >= text.size()) break;  // past the end after a final backslash
    const std::size_t name_start = i;
    while (i < text.size() && text[i] != '=' && !space()) ++i;
    const std::string name(text.substr(name_start, i - name_start));
    while (i < text.size() && space()) ++i;
    if (i == text.size() || text[i] != '=') {
      return "a word is not followed by '=': write name=value, and put a value with spaces in "
             "single quotes";
    }
    if (known_keywords().count(name) == 0 || name == "ssl") {
      return "a name before '=' is not a libpq connection parameter";
    }
    ++i;
    while (i < text.size() && space()) ++i;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) {
        return "a value in single quotes has no closing quote: write ' inside it as \\'";
      }
      ++i;
    } else {
      for (; i < text.size() && !space(); ++i) {
        if (text[i] == '\\') ++i;
      }
    }
  }
  return "libpq cannot read it; check its quotes and spaces";
}

// The reason a database name (from a URL or from code) cannot be used, or "".
std::string database_name_problem(std::string_view name) {
  if (name.empty()) return "the database name is empty";
  if (name.find('\0') != std::string_view::npos) return "the database name contains a NUL byte";
  if (name.size() > 63) {
    return "the database name is " + std::to_string(name.size()) +
           " bytes long, PostgreSQL allows at most 63";
  }
  if (std::isspace(static_cast<unsigned char>(name.front())) ||
      std::isspace(static_cast<unsigned char>(name.back()))) {
    return "the database name starts or ends with a space";
  }
  // libpq (psql, pg_dump, ...) reads such a name as a second connection string.
  if (name.find('=') != std::string_view::npos || lower(name).rfind("postgresql://", 0) == 0 ||
      lower(name).rfind("postgres://", 0) == 0) {
    return "the database name looks like a connection string, which libpq programs would read as "
           "one";
  }
  return {};
}

bool valid_ports(std::string_view ports) {
  while (true) {
    const auto comma = ports.find(',');
    const std::string_view one = ports.substr(0, comma);
    const bool digits =
        !one.empty() && one.size() <= 5 &&
        std::all_of(one.begin(), one.end(), [](unsigned char c) { return std::isdigit(c); });
    const long value = digits ? std::strtol(std::string(one).c_str(), nullptr, 10) : 0;
    if (value < 1 || value > 65535) return false;
    if (comma == std::string_view::npos) return true;
    ports.remove_prefix(comma + 1);
  }
}

// An identifier-like character: a replacement must not start or end inside a word.
bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || c == '_';
}

std::string replace_whole(std::string text, std::string_view needle) {
  if (needle.empty()) return text;
  const bool word_start = is_word_char(needle.front());
  const bool word_end = is_word_char(needle.back());
  for (auto pos = text.find(needle); pos != std::string::npos;) {
    const auto end = pos + needle.size();
    const bool alone = (pos == 0 || !word_start || !is_word_char(text[pos - 1])) &&
                       (end == text.size() || !word_end || !is_word_char(text[end]));
    if (alone) {
      text.replace(pos, needle.size(), "***");
      pos = text.find(needle, pos + 3);
    } else {
      pos = text.find(needle, pos + 1);
    }
  }
  return text;
}

}  // namespace

DatabaseUrl DatabaseUrl::parse(std::string_view text) {
  if (text.empty()) {
    throw ConfigError("the connection URL is empty: expected " + std::string(kUrlForm));
  }
  const auto separator = text.find("://");
  Form form = Form::url;
  std::string normalized;
  if (separator != std::string_view::npos && is_scheme(text.substr(0, separator))) {
    const std::string scheme = lower(text.substr(0, separator));
    const std::string base_scheme = scheme.substr(0, scheme.find('+'));
    if (base_scheme != "postgresql" && base_scheme != "postgres") {
      throw ConfigError("unsupported URL scheme '" + scheme + "': use a PostgreSQL URL, " +
                        std::string(kUrlForm));
    }
    const std::string_view rest = text.substr(separator + 3);
    if (ambiguous_at_sign(rest)) {
      refuse(form,
             "an '@' may appear once, right before the host; in a user name or password write "
             "@ as %40 and / as %2F");
    }
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] != '%') continue;
      if (i + 2 >= rest.size() || !is_hex(rest[i + 1]) || !is_hex(rest[i + 2])) {
        refuse(form, "a '%' is not followed by two hex digits: write % itself as %25");
      }
      if (rest[i + 1] == '0' && rest[i + 2] == '0') refuse(form, "it contains %00");
    }
    normalized = "postgresql://" + std::string(rest);
  } else if (text.find('=') != std::string_view::npos) {
    form = Form::key_value;
    normalized = std::string(text);
  } else {
    throw ConfigError("not a connection URL: expected " + std::string(kUrlForm));
  }

  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(normalized.c_str(), &error), &PQconninfoFree);
  if (!options) {
    const bool out_of_memory = error == nullptr;
    PQfreemem(error);  // its text quotes the offending part: never shown
    if (out_of_memory) throw std::bad_alloc();
    refuse(form, form == Form::url ? url_problem(normalized.substr(13)) : key_value_problem(text));
  }

  DatabaseUrl url;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr) url.options_.emplace_back(option->keyword, option->val);
  }
  if (const std::string* port = url.find("port"); port != nullptr && !valid_ports(*port)) {
    refuse(form, "the port is not a number from 1 to 65535, e.g. localhost:5432");
  }
  if (const std::string* db = url.find("dbname")) {
    if (const std::string problem = database_name_problem(*db); !problem.empty()) {
      refuse(form, problem);
    }
  }
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

DatabaseUrl DatabaseUrl::with_login(std::string_view user, std::string_view password) const {
  DatabaseUrl copy = *this;
  copy.set("user", std::string(user));
  auto& options = copy.options_;
  options.erase(std::remove_if(options.begin(), options.end(),
                               [](const auto& option) { return option.first == "password"; }),
                options.end());
  if (!password.empty()) copy.set("password", std::string(password));
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

namespace {

// A query parameter's value: '/' may stay as it is there (RFC 3986, 3.4), so a socket directory
// reads as the path it is, as `./workbook db url` writes it.
std::string encode_query_value(std::string_view s) {
  std::string out;
  for (std::size_t start = 0;;) {
    const auto slash = s.find('/', start);
    out += percent_encode(s.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

}  // namespace

std::string DatabaseUrl::render(bool mask) const {
  std::string out = "postgresql://";
  const std::string* user = find("user");
  if (user != nullptr || has_password()) {
    if (user != nullptr) out += percent_encode(*user);
    if (has_password()) {
      out += ":" + (mask ? std::string("***") : percent_encode(*find("password")));
    }
    out += '@';
  }
  const std::string h = host();
  const bool socket_host = !h.empty() && h.front() == '/';
  if (!socket_host) {
    // A host list stays readable as it is; an IPv6 address goes in brackets.
    out += h.find(':') != std::string::npos && h.find(',') == std::string::npos ? "[" + h + "]" : h;
  }
  const std::string* port = find("port");
  if (port != nullptr && !socket_host) out += ":" + *port;
  out += "/" + percent_encode(database());
  char joiner = '?';
  if (socket_host) {  // postgresql://user@/db?host=/dir&port=5432
    out += joiner + std::string("host=") + encode_query_value(h);
    joiner = '&';
    if (port != nullptr) out += "&port=" + percent_encode(*port);
  }
  for (const auto& [key, value] : options_) {
    if (key == "user" || key == "password" || key == "host" || key == "port" || key == "dbname") {
      continue;
    }
    out += joiner + key + "=" +
           (mask && is_secret(key) ? std::string("***") : encode_query_value(value));
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
      text = replace_whole(std::move(text), value);
      text = replace_whole(std::move(text), percent_encode(value));
    }
  }
  return text;
}

void validate_database_name(std::string_view name) {
  if (name.empty()) {
    // A name from code or a command line: the URL parser has its own message for a URL's.
    throw ConfigError(
        "the database name is empty: give a name of letters, digits and _, e.g. "
        "hello_books_test");
  }
  if (name.find('\0') != std::string_view::npos) {
    throw ConfigError("invalid database name: it contains a NUL byte; use letters, digits and _");
  }
  if (name.size() > 63) {
    throw ConfigError("invalid database name '" + std::string(name.substr(0, 20)) + "...': it is " +
                      std::to_string(name.size()) +
                      " bytes long, PostgreSQL allows at most 63; choose a shorter name");
  }
  if (const std::string problem = database_name_problem(name); !problem.empty()) {
    throw ConfigError("invalid database name '" + one_line(std::string(name)) + "': " + problem +
                      "; use letters, digits and _");
  }
}

std::string env_or(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? std::string(value) : std::string(fallback);
}

}  // namespace orm
