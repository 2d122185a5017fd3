// Splitting SQL text into statements, aware of quotes, dollar quotes and comments.
#include <string>
#include <string_view>
#include <vector>

#include "orm/migrate/sql.hpp"

namespace orm::migrate {
namespace {

bool is_identifier_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

bool is_identifier_start(char c) {
  return is_identifier_char(c) && c != '$' && !(c >= '0' && c <= '9');
}

// Walks the text once, keeping the line number up to date.
class Splitter {
 public:
  Splitter(std::string_view text, int first_line) : text_(text), line_(first_line) {}

  std::vector<Statement> run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '-' && peek(1) == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        skip_block_comment();
      } else if (c == ';') {
        finish_statement();
        ++pos_;
      } else {
        if (start_ == std::string_view::npos) {
          start_ = pos_;
          start_line_ = line_;
        }
        if (c == '\'') {
          skip_string(starts_escape_string());
        } else if (c == '"') {
          skip_quoted_identifier();
        } else if (c == '$' && (pos_ == 0 || !is_identifier_char(text_[pos_ - 1]))) {
          skip_dollar_quote();
        } else {
          ++pos_;
        }
        end_ = pos_;
      }
    }
    finish_statement();
    return std::move(statements_);
  }

 private:
  char peek(std::size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void finish_statement() {
    if (start_ != std::string_view::npos) {
      statements_.push_back({std::string(text_.substr(start_, end_ - start_)), start_line_});
    }
    start_ = std::string_view::npos;
  }

  // E'...' strings treat backslashes as escapes; plain '...' strings do not.
  bool starts_escape_string() const {
    if (pos_ == 0 || (text_[pos_ - 1] != 'E' && text_[pos_ - 1] != 'e')) return false;
    return pos_ < 2 || !is_identifier_char(text_[pos_ - 2]);
  }

  void skip_block_comment() {
    const int opened = line_;
    int depth = 0;
    do {
      if (pos_ + 1 >= text_.size()) {
        throw SqlSplitError(opened, "unterminated /* comment: close it with */");
      }
      if (text_[pos_] == '/' && text_[pos_ + 1] == '*') {
        ++depth;
        pos_ += 2;
      } else if (text_[pos_] == '*' && text_[pos_ + 1] == '/') {
        --depth;
        pos_ += 2;
      } else {
        if (text_[pos_] == '\n') ++line_;
        ++pos_;
      }
    } while (depth > 0);
  }

  void skip_string(bool backslash_escapes) {
    const int opened = line_;
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') ++line_;
      if (backslash_escapes && c == '\\' && pos_ + 1 < text_.size()) {
        if (text_[pos_ + 1] == '\n') ++line_;
        pos_ += 2;
      } else if (c == '\'') {
        if (peek(1) == '\'') {
          pos_ += 2;  // '' is a quote inside the string
        } else {
          ++pos_;
          return;
        }
      } else {
        ++pos_;
      }
    }
    throw SqlSplitError(opened, "unterminated quoted string: close it with '");
  }

  void skip_quoted_identifier() {
    const int opened = line_;
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') ++line_;
      ++pos_;
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          ++pos_;  // "" is a quote inside the name
        } else {
          return;
        }
      }
    }
    throw SqlSplitError(opened, "unterminated quoted identifier: close it with \"");
  }

  // $$...$$ or $tag$...$tag$; a '$' that starts no tag (e.g. $1) is an ordinary character.
  void skip_dollar_quote() {
    std::size_t end = pos_ + 1;
    if (end < text_.size() && is_identifier_start(text_[end])) {
      while (end < text_.size() && is_identifier_char(text_[end]) && text_[end] != '$') ++end;
    }
    if (end >= text_.size() || text_[end] != '$') {
      ++pos_;
      return;
    }
    const std::string_view tag = text_.substr(pos_, end - pos_ + 1);
    const int opened = line_;
    const std::size_t close = text_.find(tag, end + 1);
    if (close == std::string_view::npos) {
      throw SqlSplitError(opened,
                          "unterminated dollar-quoted string: close it with " + std::string(tag));
    }
    for (std::size_t i = pos_; i < close; ++i) {
      if (text_[i] == '\n') ++line_;
    }
    pos_ = close + tag.size();
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_;
  std::size_t start_ = std::string_view::npos;  // first character of the current statement
  std::size_t end_ = 0;                         // just after its last significant character
  int start_line_ = 0;
  std::vector<Statement> statements_;
};

}  // namespace

SqlSplitError::SqlSplitError(int line, const std::string& reason)
    : MigrationError("line " + std::to_string(line) + ": " + reason),
      line_(line),
      reason_(reason) {}

std::vector<Statement> split_sql(std::string_view text, int first_line) {
  return Splitter(text, first_line).run();
}

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace orm::migrate
