// Do not change this file: it checks the orm library (label: lib).
//
// Connection URLs: parsed by libpq in every form it accepts (URLs, key=value strings, the
// SQLAlchemy spelling), masked without the password whatever its encoding, and refused with one
// line that repeats nothing of the text after the scheme.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "orm/app.hpp"
#include "orm/errors.hpp"
#include "orm/url.hpp"

using orm::DatabaseUrl;

namespace {

constexpr const char* kForm = "; the form is postgresql://user:password@host:port/dbname";

// The message of the ConfigError that parsing `uri` throws.
std::string parse_error(const std::string& uri) {
  try {
    DatabaseUrl::parse(uri);
  } catch (const orm::ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError for " << uri);
  return {};
}

// Checks that a refusal of `uri` is one line that repeats no piece of its text after the scheme:
// no 4 characters in a row that hold a digit, a capital or '_' (the test texts mark their
// secrets, hosts and names so; the message's own prose has none of them but "URL", "SQL" and
// its examples, which the texts avoid).
void check_no_echo(const std::string& uri, const std::string& message) {
  INFO(uri << "\n -> " << message);
  CHECK(message.find('\n') == std::string::npos);
  const auto scheme_end = uri.find("://");
  const std::string rest = scheme_end == std::string::npos ? uri : uri.substr(scheme_end + 3);
  for (std::size_t i = 0; i + 4 <= rest.size(); ++i) {
    const std::string piece = rest.substr(i, 4);
    bool marked = false;
    for (char c : piece)
      marked = marked || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (marked) CHECK(message.find(piece) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("the classic connection string parses into its parts", "[url]") {
  auto url =
      DatabaseUrl::parse("postgresql://postgres:postgres@localhost:5432/hello_books_development");
  CHECK(url.user() == "postgres");
  CHECK(url.host() == "localhost");
  CHECK(url.port() == 5432);
  CHECK(url.database() == "hello_books_development");
  CHECK(url.has_password());
  CHECK(url.server() == "localhost:5432");
}

TEST_CASE("the SQLAlchemy form with +driver is accepted", "[url]") {
  auto url = DatabaseUrl::parse(
      "postgresql+psycopg2://postgres:postgres@localhost:5432/hello_books_development");
  CHECK(url.database() == "hello_books_development");
  CHECK(url.masked() == "postgresql://postgres:***@localhost:5432/hello_books_development");
  CHECK(DatabaseUrl::parse("postgres://u@h/db").database() == "db");
  CHECK(DatabaseUrl::parse("POSTGRESQL+asyncpg://u:pw@h/db").masked() == "postgresql://u:***@h/db");
}

TEST_CASE("the masked form hides the password, the secret form keeps it", "[url]") {
  auto url = DatabaseUrl::parse(
      "postgresql://postgres:p%40ss%20w0rd@db.example:6543/books?"
      "sslmode=disable&application_name=hb");
  // Other options follow in libpq's keyword order.
  CHECK(url.masked() ==
        "postgresql://postgres:***@db.example:6543/books?application_name=hb&sslmode=disable");
  CHECK(url.to_string() == url.masked());
  CHECK(url.uri_with_password().find("p%40ss%20w0rd") != std::string::npos);
  CHECK(DatabaseUrl::parse(url.uri_with_password()).conninfo() == url.conninfo());
}

TEST_CASE("percent-encoded passwords with every special character are masked", "[url]") {
  // @ / : % ? # space quotes and non-ASCII, percent-encoded as a URL wants them.
  const std::vector<std::pair<std::string, std::string>> passwords = {
      {"a@b/c", "a%40b%2Fc"},
      {"x:y:z", "x%3Ay%3Az"},
      {"50%off", "50%25off"},
      {"q?r#s", "q%3Fr%23s"},
      {"two words", "two%20words"},
      {"it's \"x\"", "it%27s%20%22x%22"},
      {"Päßwörd", "P%C3%A4%C3%9Fw%C3%B6rd"},
  };
  for (const auto& [password, encoded] : passwords) {
    INFO(password);
    const auto url = DatabaseUrl::parse("postgresql://me:" + encoded + "@db:5432/books");
    CHECK(url.masked() == "postgresql://me:***@db:5432/books");
    CHECK(url.has_password());
    CHECK(url.conninfo().find("password='") != std::string::npos);
    // The secret form round-trips to the same password.
    CHECK(DatabaseUrl::parse(url.uri_with_password()).conninfo() == url.conninfo());
  }
}

TEST_CASE("unencoded : ? # space and quotes in a password are read as libpq reads them", "[url]") {
  for (const std::string password : {"x:y", "q?r#s", "two words", "it's \"x\"", "Päß"}) {
    INFO(password);
    const auto url = DatabaseUrl::parse("postgresql://me:" + password + "@db:5432/books");
    CHECK(url.host() == "db");
    CHECK(url.database() == "books");
    CHECK(url.masked() == "postgresql://me:***@db:5432/books");
  }
}

TEST_CASE("an unencoded @ or / in a password is refused, never split into host or port",
          "[url][errors]") {
  // libpq would read "S3cr3t" as the password and "Pw_x@localhost" as the host, or "u" as the
  // host and "S3cr" as the port.
  for (const std::string uri : {
           "postgresql://u:S3cr3t@Pw_x@localhost/db",
           "postgresql://u:S3cr/3t_Pw@localhost/db",
           "postgresql://u:S3cr3t/Pw@x@localhost:5432/db",
           "postgresql+psycopg2://u:Ab@Cd/Ef@localhost/db",
           "postgresql://localhost/db?password=Ab@Cd_x",
       }) {
    const auto message = parse_error(uri);
    CHECK_THAT(message, Catch::StartsWith("the connection URL is not a valid PostgreSQL URL ("));
    CHECK_THAT(message, Catch::Contains("write @ as %40 and / as %2F"));
    check_no_echo(uri, message);
  }
}

TEST_CASE("a password in the query part is masked: repeated, percent-encoded, any key spelling",
          "[url]") {
  CHECK(DatabaseUrl::parse("postgresql://u@h:5432/db?password=Hunter_2").masked() ==
        "postgresql://u:***@h:5432/db");
  // libpq keeps the last of repeated options; neither value is printed.
  const auto repeated =
      DatabaseUrl::parse("postgresql://u@h/db?password=First_1&password=Second_2");
  CHECK(repeated.masked() == "postgresql://u:***@h/db");
  CHECK(repeated.uri_with_password().find("Second_2") != std::string::npos);
  CHECK(repeated.uri_with_password().find("First_1") == std::string::npos);
  // The key itself percent-encoded ("pass%77ord" is "password").
  CHECK(DatabaseUrl::parse("postgresql://u@h/db?pass%77ord=%48unter").masked() ==
        "postgresql://u:***@h/db");
  // The TLS key's passphrase is a secret too.
  CHECK(DatabaseUrl::parse("postgresql://u@h/db?sslpassword=Key_pass").masked() ==
        "postgresql://u@h/db?sslpassword=***");
}

TEST_CASE("libpq key=value strings parse and mask, with quotes and escapes", "[url]") {
  const auto url = DatabaseUrl::parse(
      R"(host=db.example port=6543 dbname=books user=me password='it\'s a \\secret')");
  CHECK(url.host() == "db.example");
  CHECK(url.port() == 6543);
  CHECK(url.user() == "me");
  CHECK(url.database() == "books");
  CHECK(url.masked() == "postgresql://me:***@db.example:6543/books");
  CHECK(url.uri_with_password().find("it%27s%20a%20%5Csecret") != std::string::npos);

  const auto unquoted = DatabaseUrl::parse(R"(dbname=books password=two\ words host=h)");
  CHECK(unquoted.masked() == "postgresql://:***@h/books");
  CHECK(DatabaseUrl::parse(unquoted.uri_with_password()).conninfo() == unquoted.conninfo());
}

TEST_CASE("bad key=value strings are refused in general terms, without echo", "[url][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"host=h password=Sec ret_x", "a word is not followed by '='"},
      {"host=h password='Unclosed_x", "has no closing quote"},
      {"host=h Bogus_key=Sec_x", "is not a libpq connection parameter"},
  };
  for (const auto& [text, reason] : cases) {
    const auto message = parse_error(text);
    CHECK_THAT(message, Catch::StartsWith("the connection string is not a valid libpq key=value "
                                          "string (") &&
                            Catch::Contains(reason));
    check_no_echo(text, message);
  }
}

TEST_CASE("a refused key=value string that ends in a backslash is explained, not a crash",
          "[url][errors]") {
  using namespace std::string_literals;
  // The first, from the URL fuzzer: libpq stops at the NUL byte, the explanation reads on to the
  // final backslash, which escapes nothing.
  for (const std::string& text :
       {"host='po\0\xcb\xff\xd1:'host=/host='r\xff\\^\\\\\\\\\\"s, "host='a\0' port=\\"s,
        "host='a\0' dbname=x\\ user=\\"s, "host='a\0' password='b\\"s}) {
    INFO(text.size() << " bytes");
    CHECK_THAT(parse_error(text),
               Catch::StartsWith("the connection string is not a valid libpq key=value string ("));
  }
}

TEST_CASE("a URL without a password prints without one", "[url]") {
  CHECK(DatabaseUrl::parse("postgresql://alice@localhost/x").masked() ==
        "postgresql://alice@localhost/x");
  CHECK_FALSE(DatabaseUrl::parse("postgresql://alice@localhost/x").has_password());
}

TEST_CASE("socket hosts and IPv6 addresses print as URLs that parse again", "[url]") {
  const auto socket = DatabaseUrl::parse("postgresql://u:pw@%2Ftmp%2Fsock/db");
  CHECK(socket.masked() == "postgresql://u:***@/db?host=/tmp/sock");
  CHECK(socket.server() == "unix socket /tmp/sock (port 5432)");
  // The form `./workbook db url` prints, port included; odd characters stay encoded.
  const auto cluster =
      DatabaseUrl::parse("postgresql://postgres@/db?host=/w/a%26b%20c/sock&port=55432");
  CHECK(cluster.masked() == "postgresql://postgres@/db?host=/w/a%26b%20c/sock&port=55432");
  CHECK(cluster.host() == "/w/a&b c/sock");
  CHECK(DatabaseUrl::parse(cluster.masked()).conninfo() == cluster.conninfo());
  CHECK(DatabaseUrl::parse(socket.uri_with_password()).conninfo() == socket.conninfo());
  const auto ipv6 = DatabaseUrl::parse("postgresql://u:pw@[::1]:5433/db");
  CHECK(ipv6.masked() == "postgresql://u:***@[::1]:5433/db");
  CHECK(DatabaseUrl::parse(ipv6.uri_with_password()).conninfo() == ipv6.conninfo());
}

TEST_CASE("with_database keeps the server and credentials", "[url]") {
  auto url = DatabaseUrl::parse("postgresql://postgres:pw@localhost:55432/hello_books_development");
  auto admin = url.with_database("postgres");
  CHECK(admin.database() == "postgres");
  CHECK(admin.port() == 55432);
  CHECK(admin.masked() == "postgresql://postgres:***@localhost:55432/postgres");
  CHECK(url.database() == "hello_books_development");
}

TEST_CASE("with_login changes only the user and password, whatever characters they hold", "[url]") {
  const auto tcp = DatabaseUrl::parse("postgresql://postgres:pw@[::1]:55432/books?sslmode=disable");
  const auto socket =
      DatabaseUrl::parse("postgresql://postgres@/books?host=/run/my%20pg&port=5433");
  for (const auto& url : {tcp, socket}) {
    INFO(url.masked());
    for (const std::string password : {"", "p@ss:/w?rd&x=1#%20 'q'\\"}) {
      const auto other = url.with_login("reader@x:y", password);
      CHECK(other.user() == "reader@x:y");
      CHECK(other.has_password() == !password.empty());
      CHECK(other.host() == url.host());
      CHECK(other.port() == url.port());
      CHECK(other.database() == "books");
      const auto again = DatabaseUrl::parse(other.uri_with_password());  // encoded, read back
      CHECK(again.user() == "reader@x:y");
      CHECK(again.host() == url.host());
      CHECK(again.uri_with_password() == other.uri_with_password());
      CHECK((other.conninfo().find("password=") != std::string::npos) == !password.empty());
      CHECK(other.masked().find("p@ss") == std::string::npos);
    }
    CHECK(url.user() == "postgres");  // the original is unchanged
  }
  CHECK(tcp.with_login("u", "x").masked() ==
        "postgresql://u:***@[::1]:55432/books?sslmode=disable");
  CHECK(socket.with_login("u", "").masked() == "postgresql://u@/books?host=/run/my%20pg&port=5433");
}

TEST_CASE("with_database refuses a bad name without talking of URLs or passwords",
          "[url][errors]") {
  const auto url = DatabaseUrl::parse("postgresql://postgres:pw@localhost:55432/x");
  std::string message;
  try {
    url.with_database("");
  } catch (const orm::ConfigError& e) {
    message = e.what();
  }
  // The name came from code or a command line: no advice about a URL's last '/', no URL at all.
  CHECK(message ==
        "the database name is empty: give a name of letters, digits and _, e.g. "
        "hello_books_test");
  CHECK_THROWS_AS(url.with_database(std::string(64, 'a')), orm::ConfigError);
  CHECK_THROWS_AS(url.with_database("a=b"), orm::ConfigError);
}

TEST_CASE("other schemes are refused with the expected shape", "[url][errors]") {
  const auto message = parse_error("mysql://root:hunter2@localhost/books");
  CHECK_THAT(message, Catch::StartsWith("unsupported URL scheme 'mysql'"));
  CHECK_THAT(message, Catch::Contains("postgresql://user:password@host:port/dbname"));
  CHECK(message.find("hunter2") == std::string::npos);
}

TEST_CASE("text that is neither a URL nor key=value is refused without echoing it",
          "[url][errors]") {
  CHECK(parse_error("not a url") ==
        "not a connection URL: expected postgresql://user:password@host:port/dbname");
  CHECK(parse_error("localhost:5432/Secret_db") ==
        "not a connection URL: expected postgresql://user:password@host:port/dbname");
  CHECK_THAT(parse_error(""), Catch::StartsWith("the connection URL is empty"));
}

TEST_CASE("a port that is not a number in range is refused without echoing it", "[url][errors]") {
  for (const std::string uri : {
           "postgresql+psycopg2://postgres:hunter2@localhost:notaport/x",
           "postgresql://postgres:hunter2@localhost:70000/x",
           "postgresql://postgres:hunter2@localhost:0/x",
           "postgresql://u:S3cr3t/x",  // no '@': libpq reads host "u" and port "S3cr3t"
           "host=h port=S3cr3t_x",
       }) {
    const auto message = parse_error(uri);
    CHECK_THAT(message, Catch::Contains("the port is not a number from 1 to 65535"));
    check_no_echo(uri, message);
  }
}

TEST_CASE("libpq's parse errors are described in general terms, never quoted", "[url][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgresql://postgres:hunter2@localhost/x?nonsense=1",
       "an option after '?' is not a libpq connection parameter"},
      {"postgresql://postgres:hunter2@localhost/x?sslmode", "not written name=value"},
      {"postgresql://postgres:hunter2@localhost/x?sslmode=a=b", "has a second '='"},
      {"postgresql://postgres:hunter%zz@localhost/x", "a '%' is not followed by two hex digits"},
      {"postgresql://postgres:hunter%4@localhost/x", "a '%' is not followed by two hex digits"},
      {"postgresql://postgres:hunter%00@localhost/x", "it contains %00"},
      {"postgresql://postgres:hunter2@[::1/x", "has no closing ']'"},
  };
  for (const auto& [uri, reason] : cases) {
    const auto message = parse_error(uri);
    CHECK_THAT(message, Catch::StartsWith("the connection URL is not a valid PostgreSQL URL (") &&
                            Catch::Contains(reason) && Catch::EndsWith(kForm));
    check_no_echo(uri, message);
  }
}

TEST_CASE("bad database names in a URL are refused without echoing them", "[url][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgresql://u:p@h/" + std::string(70, 'a'), "at most 63"},
      {"postgresql://u:p@h/Secret_db%20", "starts or ends with a space"},
      {"postgresql://u:p@h/db?dbname=", "the database name is empty"},
      // libpq programs (psql) would read these names as connection strings with a password.
      {"postgresql://u:p@h/x?dbname=postgresql%3A%2F%2Fu2%3ASecret_2%40h2%2Fx",
       "looks like a connection string"},
      {"host=h dbname='user=u2 password=Secret_2'", "looks like a connection string"},
  };
  for (const auto& [uri, reason] : cases) {
    const auto message = parse_error(uri);
    CHECK_THAT(message, Catch::Contains(reason));
    check_no_echo(uri, message);
  }
}

TEST_CASE("scrub masks a password standing alone and leaves longer words alone", "[url]") {
  const auto url = DatabaseUrl::parse("postgresql://postgres:postgres@localhost/x");
  CHECK(url.scrub("relation \"postgres_audit\" does not exist") ==
        "relation \"postgres_audit\" does not exist");
  CHECK(url.scrub("password postgres was wrong") == "password *** was wrong");
  const auto odd = DatabaseUrl::parse("postgresql://u:p%40ss%20w0rd@h/x");
  CHECK(odd.scrub("failed for p@ss w0rd here") == "failed for *** here");
  CHECK(odd.scrub("failed for p%40ss%20w0rd here") == "failed for *** here");
}

TEST_CASE("env_or reads the environment with a fallback", "[url]") {
  ::setenv("ORM_TEST_VARIABLE", "from env", 1);
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "from env");
  ::setenv("ORM_TEST_VARIABLE", "", 1);
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "fallback");
  ::unsetenv("ORM_TEST_VARIABLE");
  CHECK(orm::env_or("ORM_TEST_VARIABLE", "fallback") == "fallback");
}

TEST_CASE("an App validates its URL when it is made", "[url][app]") {
  orm::Config config;
  config.database_url = "postgresql://postgres:hunter2@localhost:5432/hello_books_development";
  orm::App app(config);
  CHECK(app.database_url().database() == "hello_books_development");
  CHECK_FALSE(app.testing());
  CHECK_FALSE(app.db().connected());  // nothing is opened before it is needed

  config.database_url = "postgresql://postgres:hunter2@localhost:x/y";
  CHECK_THROWS_AS(orm::App(config), orm::ConfigError);
}
