// The password matrix (label security): every user-facing program, over every way of writing a
// password into a connection URL, every kind of password and every way of failing, prints neither
// the password nor a piece of one.
//
// Dimensions:
//   URL forms   userinfo (percent-encoded, raw), ?password= (encoded, raw, repeated, with an
//               encoded key), key=value strings (quoted, backslash-escaped), postgresql+psycopg2
//   passwords   with @ / : % ? # space ' " and non-ASCII characters, and everyday words equal
//               to a word the programs print anyway (postgres, books)
//   failures    none, unknown host, refused port, wrong password, unknown database, a URL libpq
//               cannot parse, a bad port, a server error that names a word equal to the password
//   programs    lesson 01's create_databases, hello_books of lessons and solutions 02-04 (04 with
//               each db command), the migration tests' app with each db command, ./workbook
//               db status|start|url|psql, ./workbook itself and ./workbook check NN
// Each (form, password, failure) triple runs on one program, the programs taking turns, so that
// every program meets every failure and many forms and passwords; each run has a twin run with
// the twin password, and leak_rule.hpp decides what counts as a leak. The library's own entry
// points (parse, masked, server, with_database) meet every triple in-process.
//
// The runs use the security tests' own cluster (test_cluster.sh), which checks passwords
// whatever the workbook's cluster does; each run that logs in has its own role, whose
// search_path is a schema of its own, so every run and its twin start from the same state.
#include <catch2/catch.hpp>

#include <libpq-fe.h>
#include <unistd.h>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "leak_rule.hpp"
#include "orm/orm.hpp"
#include "security_cluster.hpp"
#include "subprocess.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Passwords, URL forms and failures.

struct Secret {
  const char* name;
  std::string text;
};

const std::vector<Secret>& secrets() {
  static const std::vector<Secret> all = {
      {"at signs", "At@Sign@Pw_x"},
      {"slashes", "Slash/Pw/Qx"},
      {"colons", "Colon:Pw:Kx"},
      {"percent, not hex", "Pct%Pw%zz"},
      {"percent, hex", "Pct%41Pw_k"},
      {"question marks", "Qm?Pw?x=1"},
      {"hashes", "Hash#Pw#Fr"},
      {"spaces", "Space Pw Here"},
      {"quotes", "Quo'Pw\"Dq"},
      {"non-ASCII",
       "\xC3\x9Cn\xC3\xAF"
       "c\xC3\xB8"
       "d\xC3\xA9-P\xC3\xA4\xC3\x9F"},
      {"everyday word postgres", "postgres"},
      {"everyday word books", "books"},
      {"all at once", "Mix@/:%?# '\"\xC3\xA9z"},
  };
  return all;
}

enum class Form {
  userinfo_encoded,
  userinfo_raw,
  query_encoded,
  query_raw,
  query_repeated,
  query_key_encoded,
  key_value_quoted,
  key_value_escaped,
  sqlalchemy,
};
const std::vector<Form> kForms = {
    Form::userinfo_encoded, Form::userinfo_raw,      Form::query_encoded,
    Form::query_raw,        Form::query_repeated,    Form::query_key_encoded,
    Form::key_value_quoted, Form::key_value_escaped, Form::sqlalchemy};

const char* name_of(Form form) {
  switch (form) {
    case Form::userinfo_encoded:
      return "user:ENCODED@";
    case Form::userinfo_raw:
      return "user:RAW@";
    case Form::query_encoded:
      return "?password=ENCODED";
    case Form::query_raw:
      return "?password=RAW";
    case Form::query_repeated:
      return "?password=A&password=B";
    case Form::query_key_encoded:
      return "?pass%77ord=ENCODED";
    case Form::key_value_quoted:
      return "key=value, quoted";
    case Form::key_value_escaped:
      return "key=value, escaped";
    case Form::sqlalchemy:
      return "postgresql+psycopg2://";
  }
  return "?";
}

enum class Failure {
  none,
  unknown_host,
  refused_port,
  wrong_password,
  unknown_database,
  unparsable,
  bad_port,
  server_error,
};
const std::vector<Failure> kFailures = {
    Failure::none,           Failure::unknown_host,     Failure::refused_port,
    Failure::wrong_password, Failure::unknown_database, Failure::unparsable,
    Failure::bad_port,       Failure::server_error};

const char* name_of(Failure failure) {
  switch (failure) {
    case Failure::none:
      return "none";
    case Failure::unknown_host:
      return "unknown host";
    case Failure::refused_port:
      return "refused port";
    case Failure::wrong_password:
      return "wrong password";
    case Failure::unknown_database:
      return "unknown database";
    case Failure::unparsable:
      return "unparsable URL";
    case Failure::bad_port:
      return "bad port";
    case Failure::server_error:
      return "server error naming the word";
  }
  return "?";
}

// Logging in with the run's own role: its password is the secret.
bool logs_in(Failure failure) {
  return failure == Failure::none || failure == Failure::server_error ||
         failure == Failure::unknown_database;
}

// The test's own encoder, on purpose not the library's: the URLs must not depend on the code
// they test.
std::string percent_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
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

std::string key_value_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string key_value_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '\'' || std::isspace(static_cast<unsigned char>(c))) out += '\\';
    out += c;
  }
  return out;
}

// What a URL names, and the password it carries.
struct Target {
  std::string user, host, port, database, password;
};

// A URL of `form` for `target`, with an unknown option when `broken`; `spellings` gets every
// spelling of every password the URL holds (the leak rule looks for each).
std::string make_url(Form form, const Target& t, bool broken, std::vector<std::string>& spellings) {
  const std::string p = t.password;
  const std::string decoy = "Dq" + p;  // the first of two ?password= options: a secret too
  const std::string server = t.host + ":" + t.port;
  std::string url;
  switch (form) {
    case Form::userinfo_encoded:
      url = "postgresql://" + t.user + ":" + percent_encode(p) + "@" + server + "/" + t.database;
      spellings = {p, percent_encode(p)};
      break;
    case Form::userinfo_raw:
      url = "postgresql://" + t.user + ":" + p + "@" + server + "/" + t.database;
      spellings = {p};
      break;
    case Form::query_encoded:
      url = "postgresql://" + t.user + "@" + server + "/" + t.database +
            "?password=" + percent_encode(p);
      spellings = {p, percent_encode(p)};
      break;
    case Form::query_raw:
      url = "postgresql://" + t.user + "@" + server + "/" + t.database + "?password=" + p;
      spellings = {p};
      break;
    case Form::query_repeated:
      url = "postgresql://" + t.user + "@" + server + "/" + t.database +
            "?password=" + percent_encode(decoy) + "&password=" + percent_encode(p);
      spellings = {p, percent_encode(p), decoy, percent_encode(decoy)};
      break;
    case Form::query_key_encoded:
      url = "postgresql://" + t.user + "@" + server + "/" + t.database +
            "?pass%77ord=" + percent_encode(p);
      spellings = {p, percent_encode(p)};
      break;
    case Form::key_value_quoted:
      url = "host=" + t.host + " port=" + t.port + " dbname=" + t.database + " user=" + t.user +
            " password=" + key_value_quoted(p);
      spellings = {p, key_value_quoted(p)};
      break;
    case Form::key_value_escaped:
      url = "host=" + t.host + " port=" + t.port + " dbname=" + t.database + " user=" + t.user +
            " password=" + key_value_escaped(p);
      spellings = {p, key_value_escaped(p)};
      break;
    case Form::sqlalchemy:
      url = "postgresql+psycopg2://" + t.user + ":" + percent_encode(p) + "@" + server + "/" +
            t.database;
      spellings = {p, percent_encode(p)};
      break;
  }
  if (broken) {
    const bool key_value = form == Form::key_value_quoted || form == Form::key_value_escaped;
    url += key_value ? " bogus_option=1" : (url.find('?') == std::string::npos ? "?" : "&");
    if (!key_value) url += "bogus_option=1";
  }
  return url;
}

// The password libpq reads from `url` (a raw "%41" is an "A"), or "" when it cannot parse it.
std::string carried_password(const std::string& url) {
  const bool uri = url.find("://") != std::string::npos;
  const std::string text = uri ? "postgresql" + url.substr(url.find("://")) : url;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  PQfreemem(error);
  std::string password;
  for (auto* option = options; option && option->keyword; ++option) {
    if (option->val != nullptr && std::string(option->keyword) == "password") {
      password = option->val;
    }
  }
  PQconninfoFree(options);
  return password;
}

// ---------------------------------------------------------------------------------------------
// The security cluster and the state each run starts from.

using security_cluster::Cluster;
using security_cluster::read_text;

// The databases and roles of this or an earlier (killed) run of the matrix: only the matrix uses
// the cluster's hello_books_test_mx_* databases and hb_mx_* roles, one test at a time (ctest
// RESOURCE_LOCK). The programs it runs log in as hb_mx_* roles and may make databases of their
// own (a lesson check killed at its time limit leaves its scratch databases): those go too.
void drop_matrix_leftovers(const Cluster& cluster) {
  orm::Server server(cluster.admin());
  for (const auto& name : server.databases("hello_books_test_mx_")) {
    server.drop_database(name, true);
  }
  std::vector<std::string> owned;
  {
    orm::Database admin(cluster.admin());
    pqxx::nontransaction tx(admin.connection());
    for (const auto& row : tx.exec("SELECT d.datname FROM pg_database d JOIN pg_roles r ON "
                                   "r.oid = d.datdba WHERE r.rolname LIKE 'hb\\_mx\\_%'")) {
      owned.push_back(row[0].as<std::string>());
    }
  }
  for (const auto& name : owned) server.drop_database(name, true);
  orm::Database admin(cluster.admin());
  pqxx::nontransaction tx(admin.connection());
  std::string sql;
  for (const auto& row : tx.exec("SELECT rolname FROM pg_roles WHERE rolname LIKE 'hb\\_mx\\_%'")) {
    sql += "DROP ROLE " + tx.quote_name(row[0].as<std::string>()) + ";\n";
  }
  if (!sql.empty()) tx.exec(sql);
}

// A project folder for the migration tests' app: migrations/ with one revision whose upgrade
// runs `sql`. Made with the app itself (db init, db revision), so it has today's file format.
fs::path make_project(const fs::path& folder, const std::string& sql) {
  fs::create_directories(folder);
  const std::vector<subprocess::EnvChange> offline = {
      {"DATABASE_URL", "postgresql://u@127.0.0.1:1/x"}};
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"db", "init"}, {"db", "revision", "-m", "matrix"}}) {
    std::vector<std::string> argv{MIGRATE_APP};
    argv.insert(argv.end(), args.begin(), args.end());
    subprocess::Spec spec = subprocess::command(argv);
    spec.directory = folder.string();
    spec.env = offline;
    spec.timeout_seconds = 60;
    const auto result = subprocess::run(spec);
    INFO(result.out << result.err);
    REQUIRE(result.ok());
  }
  for (const auto& entry : fs::directory_iterator(folder / "migrations" / "versions")) {
    std::string text = read_text(entry.path()) + "\n";
    const std::string marker = "-- === downgrade ===";
    const auto at = text.find(marker);
    REQUIRE(at != std::string::npos);
    text.insert(at, sql + ";\n\n");
    std::ofstream(entry.path()) << text;
  }
  return folder;
}

// ---------------------------------------------------------------------------------------------
// The programs.

struct Program {
  std::string name;
  std::vector<std::string> argv;
  enum Folder { scratch, project, empty_project } folder = scratch;
  bool builds = false;  // ./workbook builds: such runs go one at a time

  // db upgrade, downgrade and stamp wait for each other (an advisory lock per database): on the
  // shared database such runs go one at a time, so that no run waits and its twin does not.
  bool takes_migration_lock() const {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "db" &&
          (argv[i + 1] == "upgrade" || argv[i + 1] == "downgrade" || argv[i + 1] == "stamp")) {
        return argv.back() != "--sql";
      }
    }
    return false;
  }
};

std::vector<Program> parallel_programs() {
  std::vector<Program> programs = {
      {"lesson 01 create_databases", {LESSON01}},
      {"solution 01 create_databases", {SOLUTION01}},
      {"lesson 02 hello_books", {LESSON02}},
      {"solution 02 hello_books", {SOLUTION02}},
      {"lesson 03 hello_books", {LESSON03}},
      {"solution 03 hello_books", {SOLUTION03}},
      {"lesson 04 hello_books", {LESSON04}},
      {"solution 04 hello_books", {SOLUTION04}},
      {"migrate_app", {MIGRATE_APP}, Program::project},
      {"migrate_app db init", {MIGRATE_APP, "db", "init"}, Program::empty_project},
      {"./workbook db status", {WORKBOOK_SCRIPT, "db", "status"}},
      {"./workbook db start", {WORKBOOK_SCRIPT, "db", "start"}},
      {"./workbook db url", {WORKBOOK_SCRIPT, "db", "url"}},
      {"./workbook db psql", {WORKBOOK_SCRIPT, "db", "psql", "-X", "-c", "SELECT 1"}},
  };
  const std::vector<std::vector<std::string>> db_commands = {{"upgrade"},
                                                             {"upgrade", "--sql"},
                                                             {"downgrade"},
                                                             {"current"},
                                                             {"history"},
                                                             {"heads"},
                                                             {"show", "head"},
                                                             {"stamp", "head"},
                                                             {"check"},
                                                             {"revision", "-m", "x"},
                                                             {"migrate", "-m", "x"}};
  for (const auto& command : db_commands) {
    std::vector<std::string> words = {"db"};
    words.insert(words.end(), command.begin(), command.end());
    std::string joined;
    for (const auto& word : words) joined += " " + word;
    Program app{"migrate_app" + joined, {MIGRATE_APP}, Program::project};
    app.argv.insert(app.argv.end(), words.begin(), words.end());
    programs.push_back(app);
    // solution 04 reads and writes lessons' migrations/: only the commands that write no file.
    if (command[0] != "revision" && command[0] != "migrate") {
      Program solution{"solution 04 hello_books" + joined, {SOLUTION04}};
      solution.argv.insert(solution.argv.end(), words.begin(), words.end());
      programs.push_back(solution);
    }
    if (command[0] == "upgrade" || command[0] == "current" || command[0] == "history") {
      Program lesson{"lesson 04 hello_books" + joined, {LESSON04}};
      lesson.argv.insert(lesson.argv.end(), words.begin(), words.end());
      programs.push_back(lesson);
    }
  }
  return programs;
}

// Programs for the server-error failure: each fails on a relation named after an everyday word.
struct ServerErrorProgram {
  Program program;
  std::string expected;  // what the output must say, ungarbled, when the URL parses
};

std::vector<ServerErrorProgram> server_error_programs() {
  return {{{"migrate_app db upgrade (a revision reads postgres_audit)",
            {MIGRATE_APP, "db", "upgrade"},
            Program::project},
           "relation \"postgres_audit\" does not exist"},
          {{"solution 04 hello_books (no books table yet)", {SOLUTION04}},
           "relation \"books\" does not exist"}};
}

// ---------------------------------------------------------------------------------------------
// Runs.

struct Case {
  Program program;
  Form form;
  std::size_t secret;
  Failure failure;
  std::string expected;  // for server errors
  int id = 0;
};

struct Side {
  std::string url;
  std::vector<std::string> spellings;
  std::string role;
  subprocess::Spec spec;
};

class Matrix {
 public:
  Matrix() {
    scratch_ = fs::path(testing_support::scratch_directory()) / "matrix";
    fs::create_directories(scratch_);
    database_ = "hello_books_test_mx_" + std::to_string(::getpid());
    drop_matrix_leftovers(cluster_);
    orm::Server(cluster_.admin()).create_database(database_);
    project_ = make_project(scratch_ / "template_ok", "CREATE TABLE matrix_items (id integer)");
    failing_project_ = make_project(scratch_ / "template_server_error",
                                    "SELECT * FROM postgres_audit JOIN books_audit ON true");
  }
  ~Matrix() {
    try {
      drop_matrix_leftovers(cluster_);
    } catch (...) {  // the next run drops them; the cluster is thrown away with the build tree
    }
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;

  void add(Case c) {
    c.id = static_cast<int>(cases_.size());
    cases_.push_back(std::move(c));
  }

  // Makes both sides of every case, then the roles and schemas the logging-in ones need.
  void prepare() {
    std::string roles_sql, schemas_sql;
    orm::Database admin(cluster_.admin());
    pqxx::nontransaction tx(admin.connection());
    for (const Case& c : cases_) {
      for (const bool twin : {false, true}) {
        Side side = make_side(c, twin);
        if (logs_in(c.failure)) {
          // The password the URL really carries: a raw "%41" reaches the server as "A".
          roles_sql += "CREATE ROLE " + side.role + " LOGIN" +
                       (c.failure == Failure::unknown_database ? "" : " CREATEDB") + " PASSWORD " +
                       tx.quote(carried_password(side.url)) + ";\n";
          roles_sql += "ALTER ROLE " + side.role + " SET search_path = " + side.role + ";\n";
          schemas_sql += "CREATE SCHEMA " + side.role + " AUTHORIZATION " + side.role + ";\n";
        }
        sides_.push_back(std::move(side));
      }
    }
    tx.exec(roles_sql);
    orm::Database mx(cluster_.admin(database_));
    pqxx::nontransaction(mx.connection()).exec(schemas_sql);
  }

  // Runs every case and its twin. Those that build, and those that take the migration lock on
  // the shared database, go one at a time (two queues beside the others).
  void run(std::size_t jobs) {
    std::vector<subprocess::Spec> queues[3];
    std::vector<std::size_t> indexes[3];
    for (std::size_t i = 0; i < sides_.size(); ++i) {
      const Case& c = cases_[i / 2];
      const int queue = c.program.builds                                         ? 1
                        : c.program.takes_migration_lock() && logs_in(c.failure) ? 2
                                                                                 : 0;
      queues[queue].push_back(sides_[i].spec);
      indexes[queue].push_back(i);
    }
    auto builds =
        std::async(std::launch::async, [&] { return subprocess::run_parallel(queues[1], 1); });
    auto locks =
        std::async(std::launch::async, [&] { return subprocess::run_parallel(queues[2], 1); });
    const std::vector<subprocess::Result> results[3] = {subprocess::run_parallel(queues[0], jobs),
                                                        builds.get(), locks.get()};
    results_.resize(sides_.size());
    for (int queue = 0; queue < 3; ++queue) {
      for (std::size_t k = 0; k < indexes[queue].size(); ++k) {
        results_[indexes[queue][k]] = results[queue][k];
      }
    }
  }

  // The programs that took longest, all runs together, for the summary.
  std::string slowest(std::size_t count) const {
    std::map<std::string, double> seconds;
    for (std::size_t i = 0; i < results_.size(); ++i) {
      seconds[cases_[i / 2].program.name] += results_[i].seconds;
    }
    std::vector<std::pair<double, std::string>> sorted;
    for (const auto& [name, total] : seconds) sorted.emplace_back(total, name);
    std::sort(sorted.rbegin(), sorted.rend());
    std::string text;
    for (std::size_t i = 0; i < sorted.size() && i < count; ++i) {
      text += "  " + std::to_string(sorted[i].first) + " s  " + sorted[i].second + "\n";
    }
    return text;
  }

  // Checks every case against its twin; returns the number of leaks found.
  std::size_t check() {
    std::size_t hits = 0;
    for (const Case& c : cases_) {
      const Side& mine = sides_[2 * c.id];
      const Side& twin = sides_[2 * c.id + 1];
      const auto& result = results_[2 * c.id];
      const auto& twin_result = results_[2 * c.id + 1];
      INFO("program: " << c.program.name << "\nform: " << name_of(c.form)
                       << "\npassword: " << secrets()[c.secret].name
                       << "\nfailure: " << name_of(c.failure) << "\nstdout:\n"
                       << result.out << "stderr:\n"
                       << result.err);
      INFO("could not start: " << result.error << " / twin: " << twin_result.error);
      CHECK(result.started);
      CHECK(twin_result.started);
      CHECK_FALSE(result.timed_out);
      CHECK(result.signal == 0);  // no crash
      const std::string output = result.out + result.err;
      const std::string twin_output = twin_result.out + twin_result.err;
      for (std::size_t k = 0; k < mine.spellings.size(); ++k) {
        const auto found =
            leak_rule::leaks(mine.spellings[k], twin.spellings[k], output, twin_output);
        hits += found.size();
        for (const auto& fragment : found) FAIL_CHECK("leaked \"" << fragment << "\"");
      }
      if (!c.expected.empty() && parses(mine.url)) {
        CHECK_THAT(output, Catch::Contains(c.expected));
      }
    }
    return hits;
  }

  std::size_t cases() const { return cases_.size(); }

 private:
  static bool parses(const std::string& url) {
    try {
      orm::DatabaseUrl::parse(url);
      return true;
    } catch (const orm::ConfigError&) {
      return false;
    }
  }

  std::string side_password(const Case& c, bool twin) const {
    const std::string& secret = secrets()[c.secret].text;
    return twin ? leak_rule::twin(secret) : secret;
  }

  Side make_side(const Case& c, bool twin) {
    Side side;
    side.role =
        "hb_mx_" + std::to_string(::getpid()) + "_" + std::to_string(c.id) + (twin ? "t" : "s");
    Target target{"postgres", "127.0.0.1", cluster_.port, database_, side_password(c, twin)};
    switch (c.failure) {
      case Failure::none:
      case Failure::server_error:
        target.user = side.role;
        break;
      case Failure::unknown_host:
        target.host = "nosuchhost.invalid";
        break;
      case Failure::refused_port:
        target.port = "1";
        break;
      case Failure::wrong_password:
      case Failure::unparsable:
        break;
      case Failure::unknown_database:
        target.user = side.role;
        target.database = "hello_books_test_mx_missing_" + side.role;
        break;
      case Failure::bad_port:
        target.port = "99999";
        break;
    }
    // The twin's password is spelled the same ways, so its spellings line up with ours.
    side.url = make_url(c.form, target, c.failure == Failure::unparsable, side.spellings);

    fs::path folder = scratch_ / ("run_" + std::to_string(c.id) + (twin ? "t" : "s"));
    if (c.program.folder == Program::project) {
      fs::copy(c.failure == Failure::server_error ? failing_project_ : project_, folder,
               fs::copy_options::recursive);
    } else {
      fs::create_directories(folder);
    }
    side.spec.argv = c.program.argv;
    side.spec.directory = folder.string();
    // ./workbook and ./workbook check NN build and check whole lessons (./workbook: all seven).
    side.spec.timeout_seconds = c.program.builds ? 400 : 120;
    side.spec.env = {{"DATABASE_URL", side.url},
                     {"TEST_DATABASE_URL", side.url},
                     {"PGPASSWORD", ""},
                     {"PGPASSFILE", "/nonexistent"},
                     {"NO_COLOR", "1"},
                     {"MIGRATE_APP_MODELS", "book"},
                     {"WORKBOOK_BUILD_DIR", WORKBOOK_BUILD_DIR}};
    return side;
  }

  Cluster cluster_;
  fs::path scratch_;
  std::string database_;
  fs::path project_, failing_project_;
  std::vector<Case> cases_;
  std::vector<Side> sides_;
  std::vector<subprocess::Result> results_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("the leak rule: twins keep the shape and change every letter, digit and non-ASCII",
          "[security][rule]") {
  CHECK(leak_rule::twin("postgres") == "qptuhsft");
  CHECK(leak_rule::twin("Zf9@/:%z é") == "Ga0@/:%g \xC3\xAA");
  CHECK(leak_rule::twin("%4A") == "%5B");  // hex stays hex: a percent-escape stays one
  for (const auto& secret : secrets()) {
    INFO(secret.name);
    const std::string twin = leak_rule::twin(secret.text);
    CHECK(twin.size() == secret.text.size());
    CHECK(leak_rule::fragments(secret.text, twin).size() >= 1);
    for (const auto& fragment : leak_rule::fragments(secret.text, twin)) {
      CHECK(twin.find(fragment) == std::string::npos);  // the twin holds none of our fragments
      // Every fragment holds a character outside 0-9a-f, so revision ids, ports and times
      // (digits and hex) cannot hold one by chance.
      CHECK(fragment.find_first_not_of("0123456789abcdef") != std::string::npos);
    }
  }
}

TEST_CASE("the leak rule: a leak is a 4-byte piece printed more often than in the twin run",
          "[security][rule]") {
  using leak_rule::leaks;
  const std::string secret = "postgres", twin = leak_rule::twin(secret);
  // The user is "postgres" too: the same count in both runs, no leak.
  CHECK(leaks(secret, twin, "cannot log in as \"postgres\"", "cannot log in as \"postgres\"")
            .empty());
  // Printed once more than in the twin run: every window of it leaks.
  CHECK(
      leaks(secret, twin, "as \"postgres\" with postgres", "as \"postgres\" with " + twin).size() ==
      5);
  // A piece of 4 leaks, a piece of 3 does not; masking leaves nothing.
  CHECK(leaks("S3cr3t!x", leak_rule::twin("S3cr3t!x"), "port 'cr3t'", "port 'ds4u'").size() == 1);
  CHECK(leaks("S3cr3t!x", leak_rule::twin("S3cr3t!x"), "port 'cr3'", "port 'ds4'").empty());
  CHECK(leaks(secret, twin, "postgresql://u:***@h/db", "postgresql://u:***@h/db").empty());
  // Punctuation only is URL syntax, not a fragment; with one letter it is.
  CHECK(leaks("a@/:%b", leak_rule::twin("a@/:%b"), "x@/:%y", "x@/:%y").empty());
  CHECK(leaks("a@/:%b", leak_rule::twin("a@/:%b"), "a@/:", "").size() == 1);
  // Other spellings: percent-encoded, and a piece of a non-ASCII character's bytes.
  CHECK(leaks("p%40ss", "q%40tt", "URL p%40ss", "URL q%40tt").size() == 3);
  const std::string umlaut =
      "\xC3\xBC"
      "ber";
  CHECK(leaks(umlaut, leak_rule::twin(umlaut),
              "\xBC"
              "ber",
              "")
            .size() == 1);
}

TEST_CASE("the library never reports a piece of the password, in every URL form and failure",
          "[security][matrix]") {
  // Every (form, password, failure) triple, in-process: parse, the printable forms, opening a
  // connection, and for the server-error failure a statement on a relation named after an
  // everyday word. One role per password the URLs carry.
  const Cluster cluster;
  const std::string database = "hello_books_test_mx_" + std::to_string(::getpid());
  orm::Server server(cluster.admin());
  drop_matrix_leftovers(cluster);
  server.create_database(database);

  struct Item {
    Form form;
    std::size_t secret;
    Failure failure;
    std::string url[2];
    std::vector<std::string> spellings[2];
    std::string output[2];
    bool logged_in[2] = {false, false};
  };
  std::vector<Item> items;
  std::map<std::string, std::string> role_of;  // carried password -> role
  for (const Form form : kForms) {
    for (std::size_t s = 0; s < secrets().size(); ++s) {
      for (const Failure failure : kFailures) {
        Item item{form, s, failure, {}, {}, {}};
        for (const int side : {0, 1}) {
          const std::string password =
              side == 0 ? secrets()[s].text : leak_rule::twin(secrets()[s].text);
          Target target{"postgres", "127.0.0.1", cluster.port, database, password};
          switch (failure) {
            case Failure::unknown_host:
              target.host = "nosuchhost.invalid";
              break;
            case Failure::refused_port:
              target.port = "1";
              break;
            case Failure::bad_port:
              target.port = "99999";
              break;
            case Failure::unknown_database:
              target.database = "hello_books_test_mx_missing";
              break;
            default:
              break;
          }
          std::vector<std::string> ignored;
          const std::string carried = carried_password(make_url(form, target, false, ignored));
          if (logs_in(failure) || failure == Failure::unparsable) {
            auto& role = role_of[carried];
            if (role.empty()) {
              role = "hb_mx_" + std::to_string(::getpid()) + "_p" + std::to_string(role_of.size());
            }
            target.user = role;
          }
          item.url[side] =
              make_url(form, target, failure == Failure::unparsable, item.spellings[side]);
        }
        items.push_back(std::move(item));
      }
    }
  }
  {
    orm::Database admin(cluster.admin());
    pqxx::nontransaction tx(admin.connection());
    std::string sql;
    for (const auto& [password, role] : role_of) {
      sql += "CREATE ROLE " + role + " LOGIN PASSWORD " + tx.quote(password) + ";\n";
    }
    tx.exec(sql);
  }

  // Each item's two sides, on a few threads.
  const auto work = [&](std::size_t first, std::size_t step) {
    for (std::size_t i = first; i < items.size(); i += step) {
      Item& item = items[i];
      for (const int side : {0, 1}) {
        std::string& out = item.output[side];
        try {
          const auto url = orm::DatabaseUrl::parse(item.url[side]);
          out = url.masked() + "\n" + url.to_string() + "\n" + url.server() + "\n" +
                url.with_database("postgres").masked() + "\n" + url.user() + " " + url.host() +
                " " + url.database() + "\n";
          orm::Database db(url);
          db.connection();
          item.logged_in[side] = true;
          if (item.failure == Failure::server_error) {
            orm::Session session(db);
            for (const char* sql : {"SELECT * FROM postgres_audit", "SELECT * FROM books"}) {
              try {
                session.execute(sql);
              } catch (const orm::Error& e) {
                out += std::string(e.what()) + "\n";
              }
            }
          }
        } catch (const std::exception& e) {
          out += std::string(e.what()) + "\n";
        }
      }
    }
  };
  std::vector<std::future<void>> threads;
  for (std::size_t t = 0; t < 4; ++t) threads.push_back(std::async(std::launch::async, work, t, 4));
  for (auto& thread : threads) thread.get();

  std::size_t hits = 0, logins = 0;
  for (const Item& item : items) {
    INFO(name_of(item.form) << ", " << secrets()[item.secret].name << ", " << name_of(item.failure)
                            << ":\n"
                            << item.output[0]);
    for (std::size_t k = 0; k < item.spellings[0].size(); ++k) {
      const auto found = leak_rule::leaks(item.spellings[0][k], item.spellings[1][k],
                                          item.output[0], item.output[1]);
      hits += found.size();
      for (const auto& fragment : found) FAIL_CHECK("leaked \"" << fragment << "\"");
    }
    // Logging in works wherever the URL parses: the failure is the one meant, not a misread URL.
    const bool parses = item.output[0].find("postgresql://") == 0;
    if (item.failure == Failure::none || item.failure == Failure::server_error) {
      CHECK(item.logged_in[0] == parses);
    }
    logins += item.logged_in[0] + item.logged_in[1];
    if (item.failure == Failure::server_error && item.logged_in[0]) {
      CHECK_THAT(item.output[0], Catch::Contains("relation \"postgres_audit\" does not exist") &&
                                     Catch::Contains("relation \"books\" does not exist"));
    }
  }
  drop_matrix_leftovers(cluster);
  std::cout << "library matrix: " << kForms.size() << " URL forms x " << secrets().size()
            << " passwords x " << kFailures.size() << " failures = " << items.size()
            << " triples, each with its twin (" << logins << " logins); " << hits << " hits\n";
  CHECK(hits == 0);
}

TEST_CASE("no program prints a password or a piece of one", "[security][matrix]") {
  const auto start = std::chrono::steady_clock::now();
  Matrix matrix;
  // Every program meets every failure once; the URL forms and passwords take turns, so that
  // each failure meets every form (4 or 5 times) and every password (3 or 4 times). The
  // in-process test above meets every (form, password, failure) triple.
  const auto programs = parallel_programs();
  const auto failing = server_error_programs();
  for (std::size_t f = 0; f < kFailures.size(); ++f) {
    const Failure failure = kFailures[f];
    if (failure == Failure::server_error) {
      for (std::size_t s = 0; s < secrets().size(); ++s) {
        const auto& pick = failing[s % failing.size()];
        matrix.add({pick.program, kForms[(s + f) % kForms.size()], s, failure, pick.expected});
      }
    } else {
      for (std::size_t k = 0; k < programs.size(); ++k) {
        matrix.add({programs[k], kForms[(k + f) % kForms.size()], (5 * k + f) % secrets().size(),
                    failure, ""});
      }
    }
    // ./workbook itself and ./workbook check NN build first: one run each per failure.
    const std::string lesson = "0" + std::to_string(1 + f % 4);
    matrix.add({{"./workbook", {WORKBOOK_SCRIPT}, Program::scratch, true},
                kForms[(3 * f) % kForms.size()],
                (7 * f) % secrets().size(),
                failure,
                ""});
    matrix.add(
        {{"./workbook check " + lesson, {WORKBOOK_SCRIPT, "check", lesson}, Program::scratch, true},
         kForms[(3 * f + 1) % kForms.size()],
         (7 * f + 3) % secrets().size(),
         failure,
         ""});
  }
  matrix.prepare();
  const auto prepared = std::chrono::steady_clock::now();
  matrix.run(std::max(2u, std::thread::hardware_concurrency()) + 1);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - prepared);
  std::cout << "set-up " << std::chrono::duration<double>(prepared - start).count()
            << " s; slowest programs:\n"
            << matrix.slowest(8);
  const std::size_t hits = matrix.check();
  std::cout << "program matrix: " << programs.size() + failing.size() + 2 << " programs x "
            << kFailures.size() << " failures, over " << kForms.size() << " URL forms and "
            << secrets().size() << " passwords: " << matrix.cases() << " runs, each with its twin ("
            << 2 * matrix.cases() << " processes, " << seconds.count() << " s); " << hits
            << " hits\n";
  CHECK(hits == 0);
}
