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
    if (!revision.down_revision.empty() && by_id.count(revision.down_revision) == 0) {
      throw MigrationError(fmt::format(
          "{}:{}: 'Revises: {}' names no revision in {}: set it to an existing revision id (see "
          "`{} db history`), or leave it empty for the first revision",
          revision.path.string(), revision.down_revision_line, revision.down_revision,
          versions.string(), program));
    }
  }
  scripts.order_by_links();
  return scripts;
}

// Orders the revisions by distance from base (then create date, then id); a cycle has no such
// distance and is refused.
void ScriptDirectory::order_by_links() {
  std::map<std::string, const Revision*> by_id;
  for (const auto& revision : revisions_) by_id[revision.id] = &revision;
  std::map<std::string, std::size_t> depth;
  for (const auto& revision : revisions_) {
    std::vector<const Revision*> path;
    const Revision* at = &revision;
    while (at != nullptr && depth.count(at->id) == 0) {
      path.push_back(at);
      if (path.size() > revisions_.size()) {
        throw MigrationError(fmt::format(
            "the 'Revises:' lines form a cycle through {}: make the first revision's 'Revises:' "
            "empty",
            revision.path.string()));
      }
      at = at->down_revision.empty() ? nullptr : by_id.at(at->down_revision);
    }
    std::size_t d = at == nullptr ? 0 : depth[at->id] + 1;
    for (auto it = path.rbegin(); it != path.rend(); ++it) depth[(*it)->id] = d++;
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
      std::vector<std::string> names;
      for (const Revision* head : heads()) names.push_back(describe(*head));
      const std::string fork = at.empty() ? "both start from base" : "both revise " + at;
      throw MigrationError(fmt::format(
          "multiple heads in {}: {}; {} and {} {}. Make one follow the other: set 'Revises: {}' "
          "in {} (if it is applied somewhere, downgrade that database below it first)",
          versions_directory().string(), fmt::join(names, ", "), older->id, newer->id, fork,
          older_head->id, newer->path.string()));
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
