// The versions/ folder as a chain of revisions.
#include "orm/migrate/script_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

namespace orm::migrate {
namespace fs = std::filesystem;
namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw MigrationError(fmt::format("cannot read {}: check its permissions", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The *.sql files of `versions`, sorted by name (hidden files and folders left out).
std::vector<fs::path> revision_files(const fs::path& versions) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(versions)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sql" && name.front() != '.' && entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

ScriptDirectory ScriptDirectory::load(const fs::path& directory, const std::string& program) {
  ScriptDirectory scripts;
  scripts.directory_ = directory;
  scripts.program_ = program;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    // A relative folder is looked up from the working folder: name it too.
    const std::string where =
        directory.is_absolute() ? "" : " in " + fs::current_path(error).string();
    throw MigrationError(fmt::format(
        "no migrations directory '{}'{}: run `{} db init` to create it (or pass --directory)",
        directory.string(), where, program));
  }
  const fs::path versions = scripts.versions_directory();
  if (!fs::is_directory(versions, error)) {
    throw MigrationError(fmt::format(
        "'{0}' is missing: create it (mkdir {0}) or run `{1} db init` in a new directory",
        versions.string(), program));
  }

  std::map<std::string, const fs::path*> by_id;
  const std::vector<fs::path> files = revision_files(versions);
  scripts.revisions_.reserve(files.size());
  for (const auto& file : files) {
    Revision revision = parse_revision(read_file(file), file);
    const auto [it, inserted] = by_id.emplace(revision.id, &file);
    if (!inserted) {
      throw MigrationError(
          fmt::format("revision {} is in two files, {} and {}: give the one not applied yet a new "
                      "'Revision ID:' (12 hex digits)",
                      revision.id, it->second->string(), file.string()));
    }
    scripts.revisions_.push_back(std::move(revision));
  }
  for (const auto& revision : scripts.revisions_) {
    for (const std::string& parent : revision.down_revisions) {
      if (by_id.count(parent) != 0) continue;
      throw MigrationError(fmt::format(
          "{}:{}: 'Revises: {}' names {}, which no revision in {} has: set it to an existing "
          "revision id (see `{} db history`), or leave it empty for the first revision",
          revision.path.string(), revision.down_revision_line,
          join_revisions(revision.down_revisions), parent, versions.string(), program));
    }
  }
  scripts.order_by_links();
  return scripts;
}

// Orders the revisions by their longest distance from base (then create date, then id), so each
// comes after every revision it revises; a cycle has no such distance and is refused.
void ScriptDirectory::order_by_links() {
  std::map<std::string, const Revision*> by_id;
  for (const auto& revision : revisions_) by_id[revision.id] = &revision;
  std::map<std::string, std::size_t> depth;
  std::set<std::string> visiting;
  // Iterative depth-first walk: a revision's depth is known once its parents' are.
  for (const auto& start : revisions_) {
    std::vector<const Revision*> stack{&start};
    while (!stack.empty()) {
      const Revision* at = stack.back();
      if (depth.count(at->id) != 0) {
        stack.pop_back();
        continue;
      }
      visiting.insert(at->id);
      std::size_t d = 0;
      bool ready = true;
      for (const std::string& parent : at->down_revisions) {
        const auto known = depth.find(parent);
        if (known != depth.end()) {
          d = std::max(d, known->second + 1);
          continue;
        }
        if (visiting.count(parent) != 0) {
          throw MigrationError(
              fmt::format("the 'Revises:' lines form a cycle through {}: make the first revision's "
                          "'Revises:' empty",
                          at->path.string()));
        }
        stack.push_back(by_id.at(parent));
        ready = false;
      }
      if (!ready) continue;
      depth[at->id] = d;
      visiting.erase(at->id);
      stack.pop_back();
    }
  }
  std::sort(revisions_.begin(), revisions_.end(), [&](const Revision& a, const Revision& b) {
    const auto da = depth[a.id], db = depth[b.id];
    if (da != db) return da < db;
    if (a.create_date != b.create_date) return a.create_date < b.create_date;
    return a.id < b.id;
  });
}

std::vector<const Revision*> ScriptDirectory::heads() const {
  std::set<std::string> revised;
  for (const auto& revision : revisions_) {
    revised.insert(revision.down_revisions.begin(), revision.down_revisions.end());
  }
  std::vector<const Revision*> heads;
  for (const auto& revision : revisions_) {
    if (revised.count(revision.id) == 0) heads.push_back(&revision);
  }
  return heads;
}

const Revision* ScriptDirectory::head(const std::set<std::string>& applied) const {
  const auto all = heads();
  if (all.size() > 1) multiple_heads(all, applied);
  return all.empty() ? nullptr : all.front();
}

void ScriptDirectory::multiple_heads(const std::vector<const Revision*>& heads,
                                     const std::set<std::string>& applied) const {
  std::vector<std::string> names;
  for (const Revision* head : heads) names.push_back(describe(*head));
  // Re-parenting: the first revision of one head's own branch follows the other head instead.
  // Prefer a branch this database has not applied (editing an applied file is refused).
  const Revision* moved = nullptr;
  const Revision* onto = nullptr;
  for (auto it = heads.rbegin(); it != heads.rend() && moved == nullptr; ++it) {
    const Revision* other = *it == heads.back() ? heads[heads.size() - 2] : heads.back();
    const auto keep = lineage({other});
    for (const Revision* revision : lineage({*it})) {
      if (std::find(keep.begin(), keep.end(), revision) != keep.end()) continue;
      if (applied.count(revision->id) == 0 || std::next(it) == heads.rend()) {
        moved = revision;
        onto = other;
      }
      break;
    }
  }
  const bool two = heads.size() == 2;
  throw MigrationError(fmt::format(
      "multiple heads in {}: {}. Join them: `{} db merge` writes a merge revision that follows "
      "{}; or make one branch follow the other: set 'Revises: {}' in {} (if that revision is "
      "applied to a database, downgrade the database below it first)",
      versions_directory().string(), fmt::join(names, ", "), program_, two ? "both" : "them all",
      onto->id, moved->path.string()));
}

std::vector<const Revision*> ScriptDirectory::children(const Revision& revision) const {
  std::vector<const Revision*> out;
  for (const auto& r : revisions_) {
    const auto& parents = r.down_revisions;
    if (std::find(parents.begin(), parents.end(), revision.id) != parents.end()) {
      out.push_back(&r);
    }
  }
  return out;
}

std::vector<const Revision*> ScriptDirectory::lineage(
    const std::vector<const Revision*>& targets) const {
  std::set<std::string> wanted;
  std::vector<const Revision*> stack(targets.begin(), targets.end());
  while (!stack.empty()) {
    const Revision* at = stack.back();
    stack.pop_back();
    if (!wanted.insert(at->id).second) continue;
    for (const std::string& parent : at->down_revisions) stack.push_back(find(parent));
  }
  std::vector<const Revision*> out;
  for (const auto& revision : revisions_) {
    if (wanted.count(revision.id) != 0) out.push_back(&revision);
  }
  return out;
}

std::vector<const Revision*> ScriptDirectory::descendants(const Revision& revision) const {
  // revisions_ lists parents before children: one pass collects them all.
  std::set<std::string> found{revision.id};
  std::vector<const Revision*> out;
  for (const auto& r : revisions_) {
    const bool follows = std::any_of(r.down_revisions.begin(), r.down_revisions.end(),
                                     [&](const std::string& p) { return found.count(p) != 0; });
    if (follows && found.insert(r.id).second) out.push_back(&r);
  }
  return out;
}

std::size_t ScriptDirectory::position(const Revision& revision) const {
  return static_cast<std::size_t>(&revision - revisions_.data());
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
    throw MigrationError(fmt::format(
        "no revision '{}' in {}: see `{} db history` for the revision ids (or use head, base, "
        "+N, -N)",
        id, versions_directory().string(), program_));
  }
  std::string names;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    names += (i == 0 ? "" : i + 1 == matches.size() ? " and " : ", ") + matches[i]->id;
  }
  throw MigrationError(
      fmt::format("revision id '{}' is ambiguous: it starts {}; type more of the id", id, names));
}

fs::path ScriptDirectory::write(const RevisionDraft& draft) const {
  const std::string name_slug = slug(draft.message);
  fs::path path =
      versions_directory() / (draft.id + (name_slug.empty() ? "" : "_" + name_slug) + ".sql");
  if (fs::exists(path)) {
    throw MigrationError(fmt::format("{} already exists: run the command again", path.string()));
  }
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << render_revision(draft);
    out.close();
    if (!out) {
      throw MigrationError(
          fmt::format("cannot write {}: check the disk space and the folder's permissions",
                      temporary.string()));
    }
  }
  fs::rename(temporary, path);
  return path;
}

}  // namespace orm::migrate
