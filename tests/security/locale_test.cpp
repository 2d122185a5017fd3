// Errors that do not depend on English (label security): the orm library classifies failures by
// SQLSTATE, libpqxx's exception types and libpq's status functions, never by reading libpq's or
// the server's texts, which both translate. locale_probe provokes every class of error on the
// security tests' cluster (test_cluster.sh); this test runs it with an English and a German
// libpq (LANGUAGE, LC_ALL, the probe calls setlocale as psql does), against the server speaking
// English and German (ALTER SYSTEM SET lc_messages), and requires the same class, SQLSTATE,
// one-line message and fix in all four. The raw texts the probe also prints show that the
// languages really changed.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "orm/orm.hpp"
#include "security_cluster.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;

namespace {

orm::DatabaseUrl admin_url() {
  return security_cluster::Cluster().admin();
}

// Makes the server speak `locale` (lc_messages) in every new session, and waits until it does.
void set_server_language(const std::string& locale) {
  orm::Database admin(admin_url());
  pqxx::nontransaction tx(admin.connection());
  tx.exec("ALTER SYSTEM SET lc_messages = " + tx.quote(locale));
  tx.exec("SELECT pg_reload_conf()");
  for (int attempt = 0; attempt < 200; ++attempt) {
    orm::Database fresh(admin_url());
    if (pqxx::nontransaction(fresh.connection()).exec1("SHOW lc_messages")[0].as<std::string>() ==
        locale) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the server did not take lc_messages = " << locale);
}

struct ProbeLine {
  std::string failure_class, sqlstate, message;
};

struct Probe {
  std::map<std::string, ProbeLine> scenarios;
  std::map<std::string, std::string> raw;
};

// Runs the probe with the client's messages in `language` ("en" or "de").
Probe run_probe(const std::string& language) {
  const bool german = language == "de";
  subprocess::Spec spec;
  spec.argv = {LOCALE_PROBE, SECURITY_CLUSTER_DIR, "1"};  // nothing listens on port 1
  spec.env = {{"LC_ALL", german ? "de_DE.UTF-8" : "C.UTF-8"},
              {"LANGUAGE", german ? "de" : ""},
              {"PGPASSWORD", ""},
              {"PGPASSFILE", "/nonexistent"}};
  spec.timeout_seconds = 120;
  const auto result = subprocess::run(spec);
  INFO(result.out << result.err);
  REQUIRE(result.ok());
  CHECK(result.err.empty());
  Probe probe;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (auto tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    if (fields[0].rfind("raw:", 0) == 0) {
      REQUIRE(fields.size() == 2);
      probe.raw[fields[0].substr(4)] = fields[1];
    } else {
      REQUIRE(fields.size() == 4);
      probe.scenarios[fields[0]] = {fields[1], fields[2], fields[3]};
    }
  }
  return probe;
}

// What each scenario must say (in every language): the class, the SQLSTATE, and either the
// whole message or, where the message starts with the server's own (translated) reason, its end.
struct Expected {
  const char* failure_class;
  const char* sqlstate;
  std::string message;  // the whole message; empty: see ending
  std::string ending;   // the message's end after the server's reason
};

std::map<std::string, Expected> expectations(const std::string& port) {
  const std::string server = "127.0.0.1:" + port;
  const std::string socket = "unix socket " + std::string(SECURITY_CLUSTER_DIR) + "/no_server_here";
  return {
      {"server_not_running_socket",
       {"cannot_connect", "",
        "cannot connect to PostgreSQL at " + socket +
            " (port 5432) (no server answers there): is the server running? In this workbook: "
            "./workbook db start",
        ""}},
      {"port_refused",
       {"cannot_connect", "",
        "cannot connect to PostgreSQL at 127.0.0.1:1 (no server answers there): is the server "
        "running? In this workbook: ./workbook db start",
        ""}},
      {"unknown_host",
       {"cannot_connect", "",
        "cannot connect to PostgreSQL at nosuchhost.invalid:5432: the host name "
        "\"nosuchhost.invalid\" is not known; check the host in the connection URL",
        ""}},
      {"wrong_password",
       {"cannot_connect", "",
        "cannot log in to PostgreSQL at " + server +
            " as \"postgres\": wrong password; fix the password in the connection URL",
        ""}},
      {"no_password",
       {"cannot_connect", "",
        "PostgreSQL at " + server +
            " wants a password for \"postgres\": add it to the URL, "
            "postgresql://USER:PASSWORD@HOST:PORT/DB",
        ""}},
      {"rejected_user",
       {"cannot_connect", "",
        "cannot log in to PostgreSQL at " + server +
            " as \"hb_rejected\": no such user, or the server does not let it log in this way "
            "(SQLSTATE 28000); use an existing user in the URL (e.g. postgres)",
        ""}},
      {"missing_database",
       {"cannot_connect", "",
        "database \"hb_no_such_database\" does not exist on " + server +
            ": create it first (lesson 01, or in psql: CREATE DATABASE hb_no_such_database;)",
        ""}},
      {"invalid_url",
       {"invalid_settings", "",
        "the connection URL is not a valid PostgreSQL URL (an '@' may appear once, right before "
        "the host; in a user name or password write @ as %40 and / as %2F); the form is "
        "postgresql://user:password@host:port/dbname",
        ""}},
      {"missing_table",
       {"statement_failed", "42P01", "",
        ": create the table first (orm::create_all, or run the migrations) (SQLSTATE 42P01)"}},
      {"unique_violation",
       {"statement_failed", "23505",
        "unique violation: a row with code = 'dup' already exists; use that row, or a different "
        "code (SQLSTATE 23505)",
        ""}},
      {"not_null_violation", {"statement_failed", "23502", "", " (SQLSTATE 23502)"}},
      {"division_by_zero", {"statement_failed", "22012", "", " (SQLSTATE 22012)"}},
      {"syntax_error", {"statement_failed", "42601", "", " (SQLSTATE 42601)"}},
      {"serialization_failure",
       {"transaction_conflict", "40001", "x (SQLSTATE 40001)", ""}},  // the text RAISE gave
      {"statement_timeout", {"canceled", "57014", "", " (SQLSTATE 57014)"}},
      {"connection_lost",
       {"connection_lost", "",
        "lost the connection to PostgreSQL at " + server +
            ": the server stopped or restarted, or the network dropped it; start it and retry",
        ""}},
  };
}

}  // namespace

TEST_CASE("errors read the same whatever language libpq and the server speak", "[locale]") {
  const std::string port = security_cluster::Cluster().port;
  // client language x server language
  std::map<std::string, Probe> runs;
  set_server_language("C.UTF-8");
  runs["en/en"] = run_probe("en");
  runs["de/en"] = run_probe("de");
  set_server_language("de_DE.UTF-8");
  runs["en/de"] = run_probe("en");
  runs["de/de"] = run_probe("de");
  set_server_language("C.UTF-8");

  // The languages really changed: libpq's own text follows the client, the server's the server.
  for (const auto& [name, run] : runs) {
    for (const char* raw : {"client", "server_login", "server_statement"}) {
      INFO(name << " raw:" << raw);
      REQUIRE(run.raw.count(raw) == 1);
      CHECK_FALSE(run.raw.at(raw).empty());
    }
  }
  CHECK(runs["en/en"].raw["client"] == runs["en/de"].raw["client"]);
  CHECK(runs["de/en"].raw["client"] == runs["de/de"].raw["client"]);
  CHECK(runs["en/en"].raw["client"] != runs["de/en"].raw["client"]);
  CHECK(runs["en/en"].raw["server_statement"] != runs["en/de"].raw["server_statement"]);
  CHECK(runs["en/en"].raw["server_statement"] == runs["de/en"].raw["server_statement"]);
  CHECK_THAT(runs["en/de"].raw["server_login"], Catch::Contains("Passwort"));
  CHECK_THAT(runs["de/en"].raw["client"], Catch::Contains("Verbindung"));
  CHECK_THAT(runs["en/de"].raw["server_statement"], Catch::Contains("existiert nicht"));

  // Every scenario: the same class, SQLSTATE, and one-line message and fix in all four.
  for (const auto& [scenario, expected] : expectations(port)) {
    for (const auto& [name, run] : runs) {
      INFO(scenario << " with client/server " << name);
      REQUIRE(run.scenarios.count(scenario) == 1);
      const ProbeLine& line = run.scenarios.at(scenario);
      CHECK(line.failure_class == expected.failure_class);
      CHECK(line.sqlstate == expected.sqlstate);
      if (!expected.message.empty()) {
        CHECK(line.message == expected.message);
      } else {
        CHECK_THAT(line.message, Catch::EndsWith(expected.ending));
        CHECK(line.message.size() > expected.ending.size());  // the server's reason comes first
        // The reason is the server's own text, in the server's language.
        CHECK(line.message ==
              runs[name.substr(0, 3) == "en/" ? "de/" + name.substr(3) : "en/" + name.substr(3)]
                  .scenarios[scenario]
                  .message);
      }
    }
    if (expected.message.empty()) {  // the server's reason differs between its languages
      INFO(scenario);
      CHECK(runs["en/en"].scenarios[scenario].message != runs["en/de"].scenarios[scenario].message);
    }
  }
}
