// Revision files: parsing and writing them, their checksum, ids, file names and dates.
#include "orm/migrate/revision.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <random>
#include <set>

#include "../text.hpp"

namespace orm::migrate {
namespace {

using orm::detail::lower;
using orm::detail::trim;

constexpr std::string_view kUpgradeMarker = "-- === upgrade ===";
constexpr std::string_view kDowngradeMarker = "-- === downgrade ===";

// "upgrade" or "downgrade" for a marker line such as "-- === upgrade ===", else empty.
std::string marker_of(std::string_view line) {
  line = trim(line);
  if (line.substr(0, 2) != "--") return {};
  std::string_view rest = trim(line.substr(2));
  if (rest.size() < 2 || rest.front() != '=' || rest.back() != '=') return {};
  while (!rest.empty() && rest.front() == '=') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '=') rest.remove_suffix(1);
  const std::string word = lower(trim(rest));
  return word == "upgrade" || word == "downgrade" ? word : std::string();
}

bool valid_revision_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The first word of a statement, lower-cased ("begin", "create", ...).
std::string first_word(std::string_view sql) {
  std::size_t end = 0;
  while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
  return lower(sql.substr(0, end));
}

bool is_transaction_control(std::string_view sql) {
  static const std::set<std::string> kWords = {"begin", "commit", "rollback", "end", "abort"};
  const std::string word = first_word(sql);
  if (kWords.count(word) != 0) return true;
  return word == "start" && lower(sql).find("transaction") != std::string::npos;
}

// The text as parsed and hashed: \r\n line ends become \n and a UTF-8 byte order mark goes, so
// an editor or a checkout that adds them does not count as an edit.
std::string normalise_text(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

// Reads a revision file line by line: the header's comment lines, then the two sections.
class RevisionReader {
 public:
  RevisionReader(std::string_view raw_text, const std::filesystem::path& path)
      : text_(normalise_text(raw_text)), where_(path.string() + ":") {
    revision_.path = path;
    revision_.checksum = sha256_hex(text_);
  }

  Revision read() {
    check_bytes();
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const std::size_t end = std::min(text_.find('\n', pos), text_.size());
      ++line_;
      read_line(std::string_view(text_.data() + pos, end - pos));
      pos = end + 1;
    }
    while (!revision_.header.empty() && revision_.header.back().empty()) {
      revision_.header.pop_back();
    }
    check_complete();
    revision_.upgrade = split(upgrade_body_, upgrade_line_);
    revision_.downgrade = split(downgrade_body_, downgrade_line_);
    return std::move(revision_);
  }

 private:
  enum class Section { header, upgrade, downgrade };

  // "migrations/versions/x.sql:3: "
  std::string at(int line) const { return fmt::format("{}{}: ", where_, line); }

  int line_of(std::size_t offset) const {
    return 1 + static_cast<int>(std::count(
                   text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }

  // The file is UTF-8 text: the server takes nothing else, and the header goes into the history
  // table. Names the first bad byte's line.
  void check_bytes() const {
    const std::size_t nul = text_.find('\0');
    if (nul != std::string::npos) {
      throw MigrationError(
          fmt::format("{}a NUL byte (\\0): save the file as UTF-8 text", at(line_of(nul))));
    }
    const std::size_t bad = orm::detail::invalid_utf8_at(text_);
    if (bad != std::string::npos) {
      throw MigrationError(fmt::format(
          "{}byte 0x{:02X} is not UTF-8 (the file has another encoding, e.g. Latin-1): save it "
          "as UTF-8",
          at(line_of(bad)), static_cast<unsigned char>(text_[bad])));
    }
  }

  void read_line(std::string_view line) {
    const std::string marker = marker_of(line);
    if (marker == "upgrade") {
      if (section_ != Section::header) {
        throw MigrationError(fmt::format("{}a second '{}' line: a revision has one upgrade section",
                                         at(line_), kUpgradeMarker));
      }
      section_ = Section::upgrade;
      upgrade_line_ = line_ + 1;
    } else if (marker == "downgrade") {
      if (section_ == Section::header) {
        throw MigrationError(fmt::format("{}'{}' comes before '{}': put the upgrade section first",
                                         at(line_), kDowngradeMarker, kUpgradeMarker));
      }
      if (section_ == Section::downgrade) {
        throw MigrationError(
            fmt::format("{}a second '{}' line: a revision has one downgrade section", at(line_),
                        kDowngradeMarker));
      }
      section_ = Section::downgrade;
      downgrade_line_ = line_ + 1;
    } else if (section_ == Section::upgrade) {
      upgrade_body_.append(line).append("\n");
    } else if (section_ == Section::downgrade) {
      downgrade_body_.append(line).append("\n");
    } else {
      header_line(line);
    }
  }

  // The header: comment lines only; `Key: value` lines set the revision's fields.
  void header_line(std::string_view line) {
    const std::string_view trimmed = trim(line);
    if (trimmed.empty()) return;
    if (trimmed.substr(0, 2) != "--") {
      throw MigrationError(fmt::format(
          "{}SQL above the '{}' line: the header holds comments only; move the SQL below that line",
          at(line_), kUpgradeMarker));
    }
    std::string_view content = trimmed.substr(2);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);
    revision_.header.emplace_back(trim(content).empty() ? std::string_view() : content);

    const auto colon = content.find(':');
    const std::string key =
        colon == std::string_view::npos ? "" : lower(trim(content.substr(0, colon)));
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view() : trim(content.substr(colon + 1));
    if (key == "revision id") {
      set_id(value);
    } else if (key == "revises") {
      set_down_revision(value);
    } else if (key == "create date") {
      revision_.create_date = std::string(value);
    } else if (key == "transaction") {
      set_transactional(value);
    } else if (key == "destructive") {
      revision_.destructive = value.empty() ? "yes" : std::string(value);
    } else if (first_comment_ && !trim(content).empty()) {
      revision_.message = std::string(trim(content));
    }
    if (!trim(content).empty()) first_comment_ = false;
  }

  void set_id(std::string_view value) {
    if (revision_id_line_ != 0) {
      throw MigrationError(
          fmt::format("{}a second 'Revision ID:' line (the first is on line {}): keep one",
                      at(line_), revision_id_line_));
    }
    if (!valid_revision_id(value)) {
      throw MigrationError(
          fmt::format("{}invalid Revision ID '{}': use letters, digits and _ (e.g. 12 hex digits)",
                      at(line_), value));
    }
    revision_.id = std::string(value);
    revision_id_line_ = line_;
  }

  void set_down_revision(std::string_view value) {
    if (revision_.down_revision_line != 0) {
      throw MigrationError(
          fmt::format("{}a second 'Revises:' line (the first is on line {}): keep one; a merge "
                      "revision names all its revisions on one line, separated by commas",
                      at(line_), revision_.down_revision_line));
    }
    revision_.down_revision_line = line_;
    if (lower(value) == "none" || value == "<base>") return;
    for (const std::string& id : split_revisions(value)) {
      if (!valid_revision_id(id)) {
        throw MigrationError(fmt::format(
            "{}invalid 'Revises: {}': name the revision it follows (a merge revision: several, "
            "separated by commas), or leave it empty for the first revision",
            at(line_), value));
      }
      if (std::find(revision_.down_revisions.begin(), revision_.down_revisions.end(), id) !=
          revision_.down_revisions.end()) {
        throw MigrationError(fmt::format("{}'Revises: {}' names {} twice: name each revision once",
                                         at(line_), value, id));
      }
      revision_.down_revisions.push_back(id);
    }
  }

  void set_transactional(std::string_view value) {
    const std::string flag = lower(value);
    if (flag == "no" || flag == "false" || flag == "off") {
      revision_.transactional = false;
    } else if (flag == "yes" || flag == "true" || flag == "on") {
      revision_.transactional = true;
    } else {
      throw MigrationError(fmt::format(
          "{}'Transaction: {}' is not understood: write 'Transaction: no' (or remove the line)",
          at(line_), value));
    }
  }

  void check_complete() const {
    if (revision_id_line_ == 0) {
      throw MigrationError(fmt::format(
          "{}no 'Revision ID:' line in the header: add '-- Revision ID: <12 hex digits>' above "
          "the upgrade section",
          at(1)));
    }
    if (section_ == Section::header) {
      throw MigrationError(
          fmt::format("{}no '{}' line: a revision needs an upgrade section and a downgrade section",
                      at(line_), kUpgradeMarker));
    }
    if (section_ == Section::upgrade) {
      throw MigrationError(
          fmt::format("{}no '{}' line: add one after the upgrade SQL, with the SQL that undoes it",
                      at(line_), kDowngradeMarker));
    }
    const auto& parents = revision_.down_revisions;
    if (std::find(parents.begin(), parents.end(), revision_.id) != parents.end()) {
      throw MigrationError(
          fmt::format("{}the revision revises itself: 'Revises:' must name the revision before it",
                      at(revision_.down_revision_line)));
    }
  }

  std::vector<Statement> split(const std::string& body, int first_line) const {
    std::vector<Statement> statements;
    try {
      statements = split_sql(body, first_line);
    } catch (const SqlSplitError& e) {
      throw MigrationError(at(e.line()) + e.reason());
    }
    for (const auto& statement : statements) {
      if (revision_.transactional && is_transaction_control(statement.sql)) {
        throw MigrationError(fmt::format(
            "{}remove this {}: each revision already runs in its own transaction (to manage "
            "transactions yourself, add '-- Transaction: no' to the header)",
            at(statement.line), orm::detail::upper(first_word(statement.sql))));
      }
    }
    return statements;
  }

  const std::string text_;
  const std::string where_;
  Revision revision_;
  Section section_ = Section::header;
  std::string upgrade_body_, downgrade_body_;
  int line_ = 0;
  int upgrade_line_ = 0, downgrade_line_ = 0, revision_id_line_ = 0;
  bool first_comment_ = true;
};

}  // namespace

std::string describe(const Revision& revision) {
  return revision.message.empty() ? revision.id
                                  : fmt::format("{} ({})", revision.id, revision.message);
}

std::string join_revisions(const std::vector<std::string>& ids) {
  return fmt::format("{}", fmt::join(ids, ", "));
}

std::vector<std::string> split_revisions(std::string_view text) {
  std::vector<std::string> ids;
  while (!trim(text).empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    ids.emplace_back(trim(text.substr(0, comma)));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return ids;
}

Revision parse_revision(std::string_view text, const std::filesystem::path& path) {
  return RevisionReader(text, path).read();
}

std::string render_revision(const RevisionDraft& draft) {
  std::string message = draft.message;
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\r', ' ');
  message = std::string(trim(message));

  std::string text;
  if (!message.empty()) text += fmt::format("-- {}\n--\n", message);
  text += fmt::format("-- Revision ID: {}\n", draft.id);
  text += draft.down_revisions.empty()
              ? "-- Revises:\n"
              : fmt::format("-- Revises: {}\n", join_revisions(draft.down_revisions));
  text += fmt::format("-- Create Date: {}\n", draft.create_date);
  if (!draft.transactional) text += "-- Transaction: no\n";
  if (!draft.destructive.empty()) text += fmt::format("-- Destructive: {}\n", draft.destructive);

  const auto section = [&](std::string_view marker, const std::string& body) {
    text += fmt::format("\n{}\n", marker);
    if (body.empty()) return;
    text += "\n" + body;
    if (body.back() != '\n') text += "\n";
  };
  section(kUpgradeMarker, draft.upgrade_body);
  section(kDowngradeMarker, draft.downgrade_body);
  return text;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw MigrationError("OpenSSL could not compute a SHA-256 checksum (EVP_Digest failed)");
  }
  std::string hex;
  hex.reserve(2 * std::size_t{size});
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string new_revision_id() {
  std::random_device random;
  const std::uint64_t bits = (std::uint64_t{random()} << 32) | random();
  return fmt::format("{:012x}", bits & 0xffffffffffffULL);
}

std::string slug(std::string_view message) {
  std::string out;
  bool gap = false;
  for (char c : message) {
    if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) {
      if (gap && !out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      gap = false;
    } else {
      gap = true;
    }
  }
  if (out.size() > 40) {
    out.resize(40);
    const auto last = out.rfind('_');
    if (last != std::string::npos && last > 0) out.resize(last);
  }
  return out;
}

std::string create_date_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
  return fmt::format("{}.{:06d}", std::string_view(buffer, n), micros);
}

}  // namespace orm::migrate
