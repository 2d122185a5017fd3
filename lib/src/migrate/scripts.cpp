// Revision files: parsing, writing, and the versions/ folder as a chain of revisions.
#include "orm/migrate/scripts.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <system_error>

namespace orm::migrate {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kUpgradeMarker = "-- === upgrade ===";
constexpr std::string_view kDowngradeMarker = "-- === downgrade ===";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

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

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError("cannot read " + path.string() + ": check its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string describe(const Revision& revision) {
  return revision.id + (revision.message.empty() ? "" : " (" + revision.message + ")");
}

}  // namespace

Revision parse_revision(std::string_view raw_text, const fs::path& path) {
  const std::string text = normalise_text(raw_text);
  const std::string where = path.string() + ":";
  Revision revision;
  revision.path = path;
  revision.checksum = sha256_hex(text);

  enum class Section { header, upgrade, downgrade } section = Section::header;
  std::string upgrade_body, downgrade_body;
  int upgrade_line = 0, downgrade_line = 0, revision_id_line = 0;
  bool first_comment = true;

  std::size_t pos = 0;
  int line_number = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    const std::string at = where + std::to_string(line_number) + ": ";

    const std::string marker = marker_of(line);
    if (marker == "upgrade") {
      if (section != Section::header) {
        throw MigrationError(at + "a second '" + std::string(kUpgradeMarker) +
                             "' line: a revision has one upgrade section");
      }
      section = Section::upgrade;
      upgrade_line = line_number + 1;
      continue;
    }
    if (marker == "downgrade") {
      if (section == Section::header) {
        throw MigrationError(at + "'" + std::string(kDowngradeMarker) + "' comes before '" +
                             std::string(kUpgradeMarker) + "': put the upgrade section first");
      }
      if (section == Section::downgrade) {
        throw MigrationError(at + "a second '" + std::string(kDowngradeMarker) +
                             "' line: a revision has one downgrade section");
      }
      section = Section::downgrade;
      downgrade_line = line_number + 1;
      continue;
    }
    if (section == Section::upgrade) {
      upgrade_body.append(line).append("\n");
      continue;
    }
    if (section == Section::downgrade) {
      downgrade_body.append(line).append("\n");
      continue;
    }

    // The header: comment lines only.
    const std::string_view trimmed = trim(line);
    if (trimmed.empty()) continue;
    if (trimmed.substr(0, 2) != "--") {
      throw MigrationError(at + "SQL above the '" + std::string(kUpgradeMarker) +
                           "' line: the header holds comments only; move the SQL below that line");
    }
    std::string_view content = trimmed.substr(2);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);
    revision.header.emplace_back(trim(content).empty() ? std::string_view() : content);

    const auto colon = content.find(':');
    const std::string key =
        colon == std::string_view::npos ? "" : lower(trim(content.substr(0, colon)));
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view() : trim(content.substr(colon + 1));
    if (key == "revision id") {
      if (revision_id_line != 0) {
        throw MigrationError(at + "a second 'Revision ID:' line (the first is on line " +
                             std::to_string(revision_id_line) + "): keep one");
      }
      if (!valid_revision_id(value)) {
        throw MigrationError(at + "invalid Revision ID '" + std::string(value) +
                             "': use letters, digits and _ (e.g. 12 hex digits)");
      }
      revision.id = std::string(value);
      revision_id_line = line_number;
    } else if (key == "revises") {
      const std::string down =
          lower(value) == "none" || value == "<base>" ? "" : std::string(value);
      if (!down.empty() && !valid_revision_id(down)) {
        throw MigrationError(at + "invalid 'Revises: " + down +
                             "': name one revision id, or leave it empty for the first revision "
                             "(merge revisions are not supported)");
      }
      revision.down_revision = down;
      revision.down_revision_line = line_number;
    } else if (key == "create date") {
      revision.create_date = std::string(value);
    } else if (key == "transaction") {
      const std::string flag = lower(value);
      if (flag == "no" || flag == "false" || flag == "off") {
        revision.transactional = false;
      } else if (flag == "yes" || flag == "true" || flag == "on") {
        revision.transactional = true;
      } else {
        throw MigrationError(at + "'Transaction: " + std::string(value) +
                             "' is not understood: write 'Transaction: no' (or remove the line)");
      }
    } else if (key == "destructive") {
      revision.destructive = value.empty() ? "yes" : std::string(value);
    } else if (first_comment && !trim(content).empty()) {
      revision.message = std::string(trim(content));
    }
    if (!trim(content).empty()) first_comment = false;
  }
  while (!revision.header.empty() && revision.header.back().empty()) revision.header.pop_back();

  const std::string file_end = where + std::to_string(line_number) + ": ";
  if (revision_id_line == 0) {
    throw MigrationError(where +
                         "1: no 'Revision ID:' line in the header: add '-- Revision ID: "
                         "<12 hex digits>' above the upgrade section");
  }
  if (section == Section::header) {
    throw MigrationError(file_end + "no '" + std::string(kUpgradeMarker) +
                         "' line: a revision needs an upgrade section and a downgrade section");
  }
  if (section == Section::upgrade) {
    throw MigrationError(file_end + "no '" + std::string(kDowngradeMarker) +
                         "' line: add one after the upgrade SQL, with the SQL that undoes it");
  }
  if (revision.down_revision == revision.id) {
    throw MigrationError(where + std::to_string(revision.down_revision_line) +
                         ": the revision revises itself: 'Revises:' must name the revision "
                         "before it");
  }

  const auto split = [&](const std::string& body, int first_line) {
    try {
      auto statements = split_sql(body, first_line);
      for (const auto& statement : statements) {
        if (revision.transactional && is_transaction_control(statement.sql)) {
          std::string word = first_word(statement.sql);
          for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          throw MigrationError(where + std::to_string(statement.line) + ": remove this " + word +
                               ": each revision already runs in its own transaction (to manage "
                               "transactions yourself, add '-- Transaction: no' to the header)");
        }
      }
      return statements;
    } catch (const SqlSplitError& e) {
      throw MigrationError(where + std::to_string(e.line()) + ": " + e.reason());
    }
  };
  revision.upgrade = split(upgrade_body, upgrade_line);
  revision.downgrade = split(downgrade_body, downgrade_line);
  return revision;
}

std::string render_revision(const RevisionDraft& draft) {
  std::string text;
  std::string message = draft.message;
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\r', ' ');
  message = std::string(trim(message));
  if (!message.empty()) text += "-- " + message + "\n--\n";
  text += "-- Revision ID: " + draft.id + "\n";
  text += "-- Revises:" + (draft.down_revision.empty() ? "" : " " + draft.down_revision) + "\n";
  text += "-- Create Date: " + draft.create_date + "\n";
  if (!draft.transactional) text += "-- Transaction: no\n";
  if (!draft.destructive.empty()) text += "-- Destructive: " + draft.destructive + "\n";

  const auto section = [&](std::string_view marker, const std::string& body) {
    text += "\n";
    text += marker;
    text += "\n";
    if (body.empty()) return;
    text += "\n" + body;
    if (body.back() != '\n') text += "\n";
  };
  section(kUpgradeMarker, draft.upgrade_body);
  section(kDowngradeMarker, draft.downgrade_body);
  return text;
}

std::string new_revision_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device random;
  std::uint64_t bits = (std::uint64_t{random()} << 32) | random();
  std::string id;
  for (int i = 0; i < 12; ++i, bits >>= 4) id += kHex[bits & 0xf];
  return id;
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
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06ld", static_cast<long>(micros));
  return std::string(buffer, n) + fraction;
}

ScriptDirectory ScriptDirectory::load(const fs::path& directory, const std::string& program) {
  ScriptDirectory scripts;
  scripts.directory_ = directory;
  scripts.program_ = program;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    // A relative folder is looked up from the working folder: name it too.
    const std::string where =
        directory.is_absolute() ? "" : " in " + fs::current_path(error).string();
    throw MigrationError("no migrations directory '" + directory.string() + "'" + where +
                         ": run `" + program + " db init` to create it (or pass --directory)");
  }
  const fs::path versions = scripts.versions_directory();
  if (!fs::is_directory(versions, error)) {
    throw MigrationError("'" + versions.string() + "' is missing: create it (mkdir " +
                         versions.string() + ") or run `" + program +
                         " db init` in a new directory");
  }

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(versions)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sql" && name.front() != '.' && entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::size_t> by_id;
  for (const auto& file : files) {
    Revision revision = parse_revision(read_file(file), file);
    const auto [it, inserted] = by_id.emplace(revision.id, scripts.revisions_.size());
    if (!inserted) {
      throw MigrationError("revision " + revision.id + " is in two files, " +
                           scripts.revisions_[it->second].path.string() + " and " + file.string() +
                           ": give the one not applied yet a new 'Revision ID:' (12 hex digits)");
    }
    scripts.revisions_.push_back(std::move(revision));
  }

  // Check the links, then order by distance from base (a cycle has no such distance).
  for (const auto& revision : scripts.revisions_) {
    if (!revision.down_revision.empty() && by_id.count(revision.down_revision) == 0) {
      throw MigrationError(revision.path.string() + ":" +
                           std::to_string(revision.down_revision_line) +
                           ": 'Revises: " + revision.down_revision + "' names no revision in " +
                           versions.string() + ": set it to an existing revision id (see `" +
                           program + " db history`), or leave it empty for the first revision");
    }
  }
  std::map<std::string, std::size_t> depth;
  for (const auto& revision : scripts.revisions_) {
    std::vector<const Revision*> path;
    const Revision* at = &revision;
    while (at != nullptr && depth.count(at->id) == 0) {
      path.push_back(at);
      if (path.size() > scripts.revisions_.size()) {
        throw MigrationError("the 'Revises:' lines form a cycle through " + revision.path.string() +
                             ": make the first revision's 'Revises:' empty");
      }
      at = at->down_revision.empty() ? nullptr : &scripts.revisions_[by_id.at(at->down_revision)];
    }
    std::size_t d = at == nullptr ? 0 : depth[at->id] + 1;
    for (auto it = path.rbegin(); it != path.rend(); ++it) depth[(*it)->id] = d++;
  }
  std::sort(scripts.revisions_.begin(), scripts.revisions_.end(),
            [&](const Revision& a, const Revision& b) {
              const auto da = depth[a.id], db = depth[b.id];
              if (da != db) return da < db;
              if (a.create_date != b.create_date) return a.create_date < b.create_date;
              return a.id < b.id;
            });
  return scripts;
}

std::vector<const Revision*> ScriptDirectory::heads() const {
  std::set<std::string> revised;
  for (const auto& revision : revisions_) revised.insert(revision.down_revision);
  std::vector<const Revision*> heads;
  for (const auto& revision : revisions_) {
    if (revised.count(revision.id) == 0) heads.push_back(&revision);
  }
  return heads;
}

std::vector<const Revision*> ScriptDirectory::chain() const {
  std::map<std::string, std::vector<const Revision*>> children;  // "" is base
  for (const auto& revision : revisions_) children[revision.down_revision].push_back(&revision);

  std::vector<const Revision*> chain;
  std::string at;  // base
  while (true) {
    const auto it = children.find(at);
    if (it == children.end()) break;
    const auto& next = it->second;  // oldest first, as revisions_ is sorted
    if (next.size() > 1) {
      // A fork: suggest that the newer branch follow the head of the older one.
      const Revision* older = next[next.size() - 2];
      const Revision* newer = next.back();
      const Revision* older_head = older;
      for (auto c = children.find(older_head->id); c != children.end();
           c = children.find(older_head->id)) {
        older_head = c->second.front();
      }
      std::string names;
      for (const Revision* head : heads()) names += (names.empty() ? "" : ", ") + describe(*head);
      const std::string fork = at.empty() ? "both start from base" : "both revise " + at;
      throw MigrationError("multiple heads in " + versions_directory().string() + ": " + names +
                           "; " + older->id + " and " + newer->id + " " + fork +
                           ". Make one follow the other: set 'Revises: " + older_head->id +
                           "' in " + newer->path.string() +
                           " (if it is applied somewhere, downgrade that database below it first)");
    }
    chain.push_back(next.front());
    at = next.front()->id;
  }
  return chain;
}

const Revision* ScriptDirectory::find(std::string_view id) const {
  for (const auto& revision : revisions_) {
    if (revision.id == id) return &revision;
  }
  return nullptr;
}

const Revision& ScriptDirectory::resolve(std::string_view id) const {
  if (const Revision* exact = find(id)) return *exact;
  std::vector<const Revision*> matches;
  if (!id.empty()) {
    for (const auto& revision : revisions_) {
      if (revision.id.compare(0, id.size(), id) == 0) matches.push_back(&revision);
    }
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty()) {
    throw MigrationError("no revision '" + std::string(id) + "' in " +
                         versions_directory().string() + ": see `" + program_ +
                         " db history` for the revision ids (or use head, base, +N, -N)");
  }
  std::string names;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    names += (i == 0 ? "" : i + 1 == matches.size() ? " and " : ", ") + matches[i]->id;
  }
  throw MigrationError("revision id '" + std::string(id) + "' is ambiguous: it starts " + names +
                       "; type more of the id");
}

fs::path ScriptDirectory::write(const RevisionDraft& draft) const {
  const std::string name_slug = slug(draft.message);
  const fs::path path =
      versions_directory() / (draft.id + (name_slug.empty() ? "" : "_" + name_slug) + ".sql");
  if (fs::exists(path)) {
    throw MigrationError(path.string() + " already exists: run the command again");
  }
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << render_revision(draft);
    out.close();
    if (!out) {
      throw MigrationError("cannot write " + temporary.string() +
                           ": check the disk space and the folder's permissions");
    }
  }
  fs::rename(temporary, path);
  return path;
}

}  // namespace orm::migrate
