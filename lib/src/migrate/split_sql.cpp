// Splitting a revision's SQL into statements with PostgreSQL's own parser (libpg_query, the
// PostgreSQL 15 grammar), plus the two things psql handles before SQL reaches the server: COPY
// rows after `COPY ... FROM stdin` and backslash commands.
//
// psql splits with its lexer and leaves the grammar to the server; the parser knows more: the
// `;` inside `BEGIN ATOMIC ... END` and `CREATE RULE ... DO ALSO (...; ...)` end nothing. Where
// the parser stops, the reason decides: COPY rows (the statement before is COPY FROM stdin), a
// backslash command, an unterminated quote or comment (refused here, with its line), or SQL this
// grammar does not take (left to the server, which names the line: it may be newer SQL than
// PostgreSQL 15's).
#include <fmt/format.h>
#include <pg_query.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../text.hpp"
#include "orm/migrate/sql.hpp"

namespace orm::migrate {
namespace {

using orm::detail::lower;

// A libpg_query split, freed on destruction. `text` must stay alive and NUL-terminated.
class Split {
 public:
  enum class Mode { parser, scanner };
  Split(std::string text, Mode mode)
      : text_(std::move(text)),
        result_(mode == Mode::parser ? pg_query_split_with_parser(text_.c_str())
                                     : pg_query_split_with_scanner(text_.c_str())) {}
  ~Split() { pg_query_free_split_result(result_); }
  Split(const Split&) = delete;
  Split& operator=(const Split&) = delete;

  bool ok() const noexcept { return result_.error == nullptr; }
  // On error, libpg_query's statement list is not filled in (n_stmts may still count some).
  int size() const noexcept { return ok() ? result_.n_stmts : 0; }
  std::size_t start(int i) const {
    return static_cast<std::size_t>(result_.stmts[i]->stmt_location);
  }
  std::size_t end(int i) const {
    return start(i) + static_cast<std::size_t>(result_.stmts[i]->stmt_len);
  }

  // Where the error is, as a byte offset (libpg_query gives a 1-based count of characters,
  // decoded the way PostgreSQL's pg_mbstrlen_with_len counts UTF-8).
  std::size_t error_at() const {
    int characters = result_.error->cursorpos - 1;
    std::size_t at = 0;
    while (characters > 0 && at < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[at]);
      at += c < 0x80             ? 1
            : (c & 0xE0) == 0xC0 ? 2
            : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4
                                 : 1;
      --characters;
    }
    return std::min(at, text_.size());
  }
  std::string message() const { return result_.error->message; }

 private:
  std::string text_;
  PgQuerySplitResult result_;
};

// Skips white space and comments (-- and nested /* */) from `pos`. Only called where the parser
// has put a statement boundary, so no quote or literal can be open there.
std::size_t skip_space_and_comments(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    } else if (text.compare(pos, 2, "--") == 0) {
      pos = text.find('\n', pos);
      if (pos == std::string_view::npos) return text.size();
    } else if (text.compare(pos, 2, "/*") == 0) {
      int depth = 0;
      do {
        if (text.compare(pos, 2, "/*") == 0) {
          ++depth;
          pos += 2;
        } else if (text.compare(pos, 2, "*/") == 0) {
          --depth;
          pos += 2;
        } else {
          ++pos;
        }
      } while (depth > 0 && pos < text.size());
    } else {
      break;
    }
  }
  return pos;
}

bool parses_as_one_statement(const std::string& text) {
  const Split split(text, Split::Mode::parser);
  return split.ok() && split.size() == 1;
}

bool only_comments(const std::string& text) {
  const Split split(text, Split::Mode::parser);
  return split.ok() && split.size() == 0;
}

// `sql` without the comments after its last token ("SELECT 1 -- note" -> "SELECT 1"), so that a
// `;` can follow it. A candidate cut is right when the parser reads the part before it as one
// statement and the part after as comments only.
std::string without_trailing_comments(std::string sql) {
  while (true) {
    sql.erase(sql.find_last_not_of(" \t\r\n\f\v") + 1);
    const std::size_t last_line = sql.rfind('\n') == std::string::npos ? 0 : sql.rfind('\n') + 1;
    std::vector<std::size_t> cuts;
    for (auto at = sql.find("--", last_line); at != std::string::npos;
         at = sql.find("--", at + 1)) {
      cuts.push_back(at);
    }
    if (sql.size() >= 2 && sql.compare(sql.size() - 2, 2, "*/") == 0) {
      for (auto at = sql.find("/*"); at != std::string::npos; at = sql.find("/*", at + 1)) {
        cuts.push_back(at);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    bool cut = false;
    for (const std::size_t at : cuts) {
      if (at > 0 && only_comments(sql.substr(at)) && parses_as_one_statement(sql.substr(0, at))) {
        sql.resize(at);
        cut = true;
        break;
      }
    }
    if (!cut) return sql;
  }
}

// True for `COPY ... FROM STDIN` (the rows follow in the file), as the parse tree says.
bool is_copy_from_stdin(const std::string& sql) {
  if (lower(sql.substr(0, 4)) != "copy") return false;
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> free_result(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error != nullptr) return false;
  const nlohmann::json tree = nlohmann::json::parse(result.parse_tree, nullptr, false);
  const nlohmann::json::json_pointer path("/stmts/0/stmt/CopyStmt");
  if (!tree.is_object() || !tree.contains(path)) return false;
  const nlohmann::json& copy = tree.at(path);
  return copy.value("is_from", false) && !copy.contains("filename") &&
         !copy.value("is_program", false);
}

// The psql backslash commands pg_dump writes that change nothing in the schema: pg_dump 15.14
// and later put `\restrict KEY` first and `\unrestrict KEY` last.
bool harmless_meta_command(std::string_view name) {
  return name == "restrict" || name == "unrestrict";
}

class Splitter {
 public:
  Splitter(std::string_view text, int first_line) : text_(text), first_line_(first_line) {}

  std::vector<Statement> run() {
    check_bytes();
    std::size_t pos = 0;
    while (pos < text_.size()) pos = next(pos);
    return std::move(statements_);
  }

 private:
  // The line of `offset` (counting forward from the last call, or from the start).
  int line_at(std::size_t offset) {
    if (offset < counted_to_) {
      counted_to_ = 0;
      counted_lines_ = 0;
    }
    for (; counted_to_ < offset && counted_to_ < text_.size(); ++counted_to_) {
      if (text_[counted_to_] == '\n') ++counted_lines_;
    }
    return first_line_ + counted_lines_;
  }

  [[noreturn]] void fail(std::size_t offset, const std::string& reason) {
    throw SqlSplitError(line_at(offset), reason);
  }

  // Invalid UTF-8 and NUL bytes cannot reach the server; name the line.
  void check_bytes() {
    const std::size_t nul = text_.find('\0');
    if (nul != std::string_view::npos) {
      fail(nul, "a NUL byte (\\0) in the SQL: remove it (save the file as UTF-8 text)");
    }
    const std::size_t bad = orm::detail::invalid_utf8_at(text_);
    if (bad != std::string_view::npos) {
      fail(bad, fmt::format("byte 0x{:02X} is not UTF-8: save the file as UTF-8",
                            static_cast<unsigned char>(text_[bad])));
    }
  }

  // Splits from `pos` as far as the parser goes; returns where to go on.
  std::size_t next(std::size_t pos) {
    const std::string region(text_.substr(pos));
    const Split whole(region, Split::Mode::parser);
    if (whole.ok()) return take(whole, region, pos, text_.size());

    // Take the statements before the one the parser stopped in.
    const std::size_t error = whole.error_at();
    const std::size_t good = complete_statements_before(region, error);
    if (good > 0) {
      const std::string prefix = region.substr(0, good);
      const Split split(prefix, Split::Mode::parser);
      const std::size_t after = take(split, prefix, pos, pos + good);
      if (after != pos + good) return after;  // COPY rows explain the stop
    }
    // An unterminated comment is where the parser stopped, not something to skip.
    const std::size_t start = std::min(skip_space_and_comments(region, good), error);
    if (start >= region.size()) return text_.size();
    if (error < region.size() && region[error] == '\\') {
      return meta_command(pos + error, start != error);
    }
    const Split scan(region.substr(start), Split::Mode::scanner);
    if (!scan.ok()) unterminated(region.substr(start), scan, pos + start);
    return rest_for_the_server(pos + start);
  }

  // The end of the last complete statement (just after its `;`) before `error`, or 0.
  static std::size_t complete_statements_before(const std::string& region, std::size_t error) {
    std::size_t limit = error;
    while (limit > 0) {
      const std::string prefix = region.substr(0, limit);
      const Split scan(prefix, Split::Mode::scanner);
      if (!scan.ok() || scan.size() == 0) return 0;
      // The scanner's last piece is the statement in progress unless a `;` ended it.
      int last = scan.size() - 1;
      std::size_t good = scan.end(last) < prefix.size() ? scan.end(last) + 1 : scan.start(last);
      if (good >= limit) good = scan.start(last);
      const Split check(region.substr(0, good), Split::Mode::parser);
      if (check.ok()) return good;
      limit = good;  // e.g. a `;` inside BEGIN ATOMIC: step back a statement
    }
    return 0;
  }

  // Adds the parsed statements of `region` (at `base` in the text); a COPY FROM stdin takes the
  // rows after it. Returns where to go on: after the rows, or `end`.
  std::size_t take(const Split& split, const std::string& region, std::size_t base,
                   std::size_t end) {
    for (int i = 0; i < split.size(); ++i) {
      const std::size_t start = skip_space_and_comments(region, split.start(i));
      if (start >= split.end(i)) continue;
      Statement statement;
      statement.sql = without_trailing_comments(region.substr(start, split.end(i) - start));
      if (statement.sql.empty()) continue;
      statement.line = line_at(base + start);
      if (is_copy_from_stdin(statement.sql)) {
        const std::size_t after = copy_rows(statement, base + split.end(i));
        statements_.push_back(std::move(statement));
        return after;
      }
      statements_.push_back(std::move(statement));
    }
    return end;
  }

  // The rows of a COPY FROM stdin: the lines after the statement's `;` up to a line `\.`.
  std::size_t copy_rows(Statement& statement, std::size_t semicolon) {
    if (semicolon >= text_.size()) {  // the text ends with the COPY statement: no `;`, no rows
      fail(text_.size(),
           "COPY ... FROM stdin: end it with ; and put its rows on the lines after "
           "the statement, then a line holding only \\.");
    }
    const std::size_t newline = text_.find('\n', semicolon);
    const std::string_view rest_of_line =
        text_.substr(semicolon + 1, newline == std::string_view::npos ? std::string_view::npos
                                                                      : newline - semicolon - 1);
    if (!orm::detail::trim(rest_of_line).empty() || newline == std::string_view::npos) {
      fail(semicolon,
           "COPY ... FROM stdin: put its rows on the lines after the statement, then a "
           "line holding only \\.");
    }
    const std::size_t rows = newline + 1;
    for (std::size_t at = rows; at < text_.size();) {
      const std::size_t line_end = std::min(text_.find('\n', at), text_.size());
      if (text_.substr(at, line_end - at) == "\\.") {
        statement.copy_data = std::string(text_.substr(rows, at - rows));
        return line_end + 1;
      }
      at = line_end + 1;
    }
    fail(semicolon,
         "COPY ... FROM stdin has no line '\\.' after its rows: end the rows with a "
         "line holding only \\.");
  }

  // A psql backslash command at `at`: the harmless ones pg_dump writes are skipped, any other is
  // refused (a revision is SQL run by the engine, not a psql script).
  std::size_t meta_command(std::size_t at, bool inside_statement) {
    const std::size_t line_end = std::min(text_.find('\n', at), text_.size());
    std::size_t name_end = at + 1;
    while (name_end < line_end && std::isalpha(static_cast<unsigned char>(text_[name_end]))) {
      ++name_end;
    }
    if (name_end == at + 1 && name_end < line_end) ++name_end;  // \. \! \?
    const std::string_view name = text_.substr(at + 1, name_end - at - 1);
    if (inside_statement) {
      fail(at, fmt::format("psql command \\{} inside a statement: end the statement with ; and "
                           "put the command on a line of its own (or remove it)",
                           name));
    }
    if (harmless_meta_command(name)) return line_end + 1;
    std::string fix = "remove it: a revision holds SQL only, psql commands do not run here";
    if (name == "connect" || name == "c") {
      fix =
          "remove it: a revision runs on the database of the URL (split a dump of several "
          "databases into one migrations folder per database)";
    } else if (name == "i" || name == "ir" || name == "include") {
      fix = "paste the SQL of that file here instead (a revision is one self-contained file)";
    } else if (name == "set" || name == "pset" || name == "echo" || name == "timing") {
      fix =
          "remove it: it only changes psql's own behaviour (the engine always stops at the "
          "first error)";
    } else if (name == ".") {
      fix = "remove it, or put a COPY ... FROM stdin; statement before the rows it ends";
    }
    fail(at, fmt::format("psql command \\{} is not supported in a revision: {}", name, fix));
  }

  // The text that starts at `start` does not lex: an unterminated quote or comment.
  [[noreturn]] void unterminated(const std::string& text, const Split& scan, std::size_t start) {
    const std::size_t at = scan.error_at();
    const std::string_view from = std::string_view(text).substr(at);
    const auto starts = [&](std::string_view prefix) {
      return lower(from.substr(0, prefix.size())) == prefix;
    };
    if (starts("/*")) fail(start + at, "unterminated /* comment: close it with */");
    if (starts("\"") || starts("u&\"")) {
      fail(start + at, "unterminated quoted identifier: close it with \"");
    }
    if (starts("'") || starts("e'") || starts("b'") || starts("x'") || starts("n'") ||
        starts("u&'")) {
      fail(start + at, "unterminated quoted string: close it with '");
    }
    if (starts("$")) {
      const std::size_t tag_end = from.find('$', 1);
      const std::string tag(from.substr(0, tag_end == std::string_view::npos ? 1 : tag_end + 1));
      fail(start + at, fmt::format("unterminated dollar-quoted string: close it with {}", tag));
    }
    fail(start + at, scan.message() + ": fix the SQL");
  }

  // SQL that PostgreSQL 15's grammar does not take (a syntax error, or newer SQL): the rest up
  // to the next backslash command goes to the server as it is; the server names the line.
  std::size_t rest_for_the_server(std::size_t start) {
    std::size_t end = text_.size();
    for (auto at = text_.find("\n\\", start); at != std::string_view::npos;
         at = text_.find("\n\\", at + 1)) {
      const Split scan(std::string(text_.substr(start, at + 1 - start)), Split::Mode::scanner);
      if (scan.ok()) {
        end = at + 1;
        break;
      }
    }
    std::string sql(text_.substr(start, end - start));
    sql.erase(sql.find_last_not_of(" \t\r\n\f\v") + 1);
    // Only white space PostgreSQL 15's scanner does not count as such (a vertical tab): nothing.
    if (!sql.empty()) statements_.push_back(Statement{sql, line_at(start), std::nullopt});
    return end;
  }

  std::string_view text_;
  int first_line_;
  std::size_t counted_to_ = 0;
  int counted_lines_ = 0;
  std::vector<Statement> statements_;
};

}  // namespace

SqlSplitError::SqlSplitError(int line, const std::string& reason)
    : MigrationError(fmt::format("line {}: {}", line, reason)), line_(line), reason_(reason) {}

std::vector<Statement> split_sql(std::string_view text, int first_line) {
  return Splitter(text, first_line).run();
}

std::string sql_literal(std::string_view text) {
  return "'" + orm::detail::replace_all(std::string(text), "'", "''") + "'";
}

std::string with_semicolon(const std::string& sql) {
  const std::size_t last_line = sql.rfind('\n') == std::string::npos ? 0 : sql.rfind('\n') + 1;
  return sql.find("--", last_line) == std::string::npos ? sql + ";" : sql + "\n;";
}

}  // namespace orm::migrate
