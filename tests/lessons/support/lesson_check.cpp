#include "lesson_check.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "orm/database.hpp"
#include "orm/errors.hpp"
#include "orm/server.hpp"
#include "subprocess.hpp"
#include "test_database.hpp"

namespace lesson_check {
namespace {

std::string indented(const std::string& text) {
  if (text.empty()) return "    (nothing)\n";
  std::string out;
  for (const auto& line : lines_of(text)) out += "    " + line + "\n";
  return out;
}

std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_of(" \t\"'$\\*?;&|<>()") == std::string::npos) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The value as it may appear in a message: URLs with their password masked.
std::string printable(const std::string& value) {
  if (value.rfind("postgres", 0) == 0) {
    try {
      return orm::DatabaseUrl::parse(value).masked();
    } catch (const orm::Error&) {
      return "(an invalid URL)";
    }
  }
  return value;
}

}  // namespace

std::string ProgramRun::describe() const {
  std::string text = "ran: " + command + "\n";
  if (timed_out) {
    text += "it did not finish in time and was stopped\n";
  } else if (exit_code >= 128) {
    const int signal = exit_code - 128;
    text += "it crashed: the system stopped it with signal " + std::to_string(signal) + " (" +
            ::strsignal(signal) + "): " + subprocess::signal_meaning(signal) + "\n";
  } else {
    text += "exit code: " + std::to_string(exit_code) + "\n";
  }
  text += "stdout:\n" + indented(out) + "stderr:\n" + indented(err);
  return text;
}

bool ProgramRun::not_done() const {
  return exit_code == 2 && err.rfind("not done yet:", 0) == 0;
}

std::vector<std::string> ProgramRun::out_lines() const {
  return lines_of(out);
}
std::vector<std::string> ProgramRun::err_lines() const {
  return lines_of(err);
}

ProgramRun run_program(const std::string& program, const std::vector<std::string>& arguments,
                       const std::vector<EnvChange>& environment, const std::string& directory,
                       int timeout_seconds) {
  ProgramRun run;

  for (const auto& [name, value] : environment) {
    run.command +=
        value ? name + "=" + shell_word(printable(*value)) + " " : "(without " + name + ") ";
  }
  run.command += shell_word(program);
  for (const auto& argument : arguments) run.command += " " + shell_word(argument);

  subprocess::Spec spec;
  spec.argv = {program};
  spec.argv.insert(spec.argv.end(), arguments.begin(), arguments.end());
  spec.directory = directory;
  spec.env = environment;
  spec.timeout_seconds = timeout_seconds;
  const subprocess::Result result = subprocess::run(spec);
  run.timed_out = result.timed_out;
  run.exit_code = result.status();
  run.out = result.out;
  run.err = result.err;
  if (!result.started) {
    run.err += "(" + result.error + "; is it built? run ./workbook, or cmake --build)\n";
  }
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& line : lines_of(text)) {
    if (line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

std::string url_with_password(const orm::DatabaseUrl& url, const std::string& password) {
  return testing_support::wrong_password_url(url, password);
}

std::string unreachable_url(const std::string& database) {
  // Ask the kernel for a free port, then let it go: nothing listens there.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("could not find a free port: " + std::string(std::strerror(errno)));
  }
  ::close(fd);
  return "postgresql://postgres:postgres@localhost:" + std::to_string(ntohs(address.sin_port)) +
         "/" + database;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value)
    : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) saved_ = old;
  if (value) {
    ::setenv(name_.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (saved_) {
    ::setenv(name_.c_str(), saved_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

void require_server() {
  try {
    testing_support::test_database();
  } catch (const std::exception& e) {
    FAIL("The checks cannot reach PostgreSQL: " << e.what()
                                                << "\nStart the workbook's server with ./workbook "
                                                   "db start (or set DATABASE_URL to your own "
                                                   "server), then check again.");
  }
}

bool database_exists(const std::string& name) {
  return orm::Server(testing_support::server_url()).database_exists(name);
}

std::vector<std::string> statements_during(const std::string& name,
                                           const std::function<void(const EnvChange&)>& work) {
  const std::string log = testing_support::scratch_directory() + "/" + name + ".statements";
  std::filesystem::remove(log);
  {
    const ScopedEnv logging("ORM_STATEMENT_LOG", log);
    work(EnvChange{"ORM_STATEMENT_LOG", log});
  }
  std::ifstream in(log);
  std::vector<std::string> statements;
  for (std::string line; std::getline(in, line);) statements.push_back(line);
  return statements;
}

std::string Column::text() const {
  return name + " " + type + (nullable ? "" : " NOT NULL") +
         (default_sql ? " DEFAULT " + *default_sql : "");
}

std::vector<Column> columns_in(orm::Session& session, const std::string& table) {
  // As information_schema.columns: a domain's NOT NULL makes its columns NOT NULL, and a
  // generated column's expression is no default.
  return columns_from(session.execute(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT (a.attnotnull OR "
      "(t.typtype = 'd' AND t.typnotnull)), a.attidentity <> '', CASE WHEN a.attgenerated "
      "= '' THEN pg_get_expr(d.adbin, d.adrelid) END FROM pg_attribute a JOIN pg_class c "
      "ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t "
      "ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum "
      "= a.attnum WHERE n.nspname = 'public' AND c.relname = $1 AND c.relkind IN ('r', "
      "'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      table));
}

std::vector<Column> columns_from(const pqxx::result& rows) {
  std::vector<Column> columns;
  for (const auto& row : rows) {
    columns.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(), row[3].as<bool>(),
         row[4].is_null() ? std::nullopt : std::optional<std::string>(row[4].as<std::string>())});
  }
  return columns;
}

const Column* find(const std::vector<Column>& columns, const std::string& name) {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

std::string array_of(const std::vector<std::string>& values) {
  std::string text = "{";
  for (const auto& value : values) {
    if (text.size() > 1) text += ',';
    text += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    text += '"';
  }
  return text + "}";
}

std::string array_of(const std::vector<int>& values) {
  std::string text = "{";
  for (int value : values) text += (text.size() > 1 ? "," : "") + std::to_string(value);
  return text + "}";
}

std::vector<std::string> tables_of(const orm::DatabaseUrl& url) {
  orm::Database db(url);
  pqxx::nontransaction tx(db.connection());
  std::vector<std::string> names;
  for (const auto& row : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                 "ORDER BY tablename")) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

}  // namespace lesson_check
