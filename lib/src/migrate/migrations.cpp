// The migration commands: what `hello_books db <command>` does.
#include "orm/migrate.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <system_error>

#include "../text.hpp"
#include "../translate.hpp"
#include "history.hpp"
#include "locks.hpp"
#include "run.hpp"
#include "session.hpp"

namespace orm::migrate {
namespace fs = std::filesystem;
namespace {

// "Detected <change>" per change of `diff`, as `db migrate` and `db check` print them.
void print_detected(std::ostream& out, const SchemaDiff& diff) {
  for (const auto& change : diff.changes) {
    out << "Detected " << change.description << (change.destructive.empty() ? "" : " (destructive)")
        << "\n";
  }
}

constexpr const char* kReadme =
    R"(Database migrations of {program}, created by `{program} db init`.

Each file in versions/ is one revision: a plain SQL file named <revision>_<message>.sql.
Its header (comment lines) gives the message, the Revision ID, the revision it follows
(Revises:) and the Create Date. The SQL under "-- === upgrade ===" applies the change, the SQL
under "-- === downgrade ===" undoes it. Revisions are ordered by their Revises: lines, never by
file name. Each revision runs in one transaction; "-- Transaction: no" in the header runs it
statement by statement instead (for CREATE INDEX CONCURRENTLY). Each revision starts from a
fresh session state: nothing it sets (search_path, role, ...) carries over to the next one.

The usual flow: `{program} db migrate -m "adds Book model"` compares the models with the
database and writes a revision; check it, then `{program} db upgrade` applies it.

{commands}
TARGET is head, base, a revision id (or its first characters), +N or -N.
`{program} db upgrade --sql` prints the SQL instead of running it.

The database records each applied revision, with a checksum of its file, in the table
{history_table}. Change a revision only before it is applied; after that, write a new one.
)";

// "Running upgrade  -> 1a2b3c4d5e6f, adds Book model", as Alembic prints it.
std::string running_line(const Revision& revision, detail::Direction direction) {
  const bool up = direction == detail::Direction::upgrade;
  const std::string parents = join_revisions(revision.down_revisions);
  const std::string line = up ? fmt::format("Running upgrade {} -> {}", parents, revision.id)
                              : fmt::format("Running downgrade {} -> {}", revision.id, parents);
  return revision.message.empty() ? line : fmt::format("{}, {}", line, revision.message);
}

// Said before an upgrade runs a revision marked `Destructive:`.
std::string destructive_line(const Revision& revision) {
  const std::string what = revision.destructive == "yes" ? "drops data" : revision.destructive;
  return fmt::format("Destructive: {} {}", describe(revision), what);
}

// A target as typed: head/heads/base, a revision id or its start, or a step +N / -N.
struct Target {
  std::string text;
  int sign = 0;             // +1 or -1 for a step, 0 otherwise
  std::uint64_t count = 0;  // a step's N (saturated: a huge N stays larger than any chain)
};

// Checks the form of a target; `command` names it in messages ("upgrade"). Ranges (FROM:TO)
// are for --sql only.
Target parse_target(const std::string& text, const std::string& command,
                    const std::string& program) {
  const std::string forms = "head, base, a revision id (or its first characters), +N or -N";
  if (text.empty()) {
    throw MigrationError(
        fmt::format("{} '': the target is empty: name {}; `{} db {}` alone means its default",
                    command, forms, program, command));
  }
  if (text.find_first_of(" \t\r\n") != std::string::npos) {
    throw MigrationError(fmt::format("{} '{}': a target has no spaces: name {}", command,
                                     orm::detail::one_line(text), forms));
  }
  if (text.find(':') != std::string::npos) {
    throw MigrationError(fmt::format(
        "{} {}: a FROM:TO range is for --sql only (`{} db {} --sql {}`); without --sql, name {}",
        command, text, program, command, text, forms));
  }
  Target target{text};
  if (text[0] == '+' || text[0] == '-') {
    const std::string digits = text.substr(1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
      throw MigrationError(
          fmt::format("{} {}: a step is + or - followed by a number of revisions, e.g. +1 or -2",
                      command, text));
    }
    target.sign = text[0] == '+' ? 1 : -1;
    for (char digit : digits) {
      target.count = target.count > 1'000'000'000'000ULL
                         ? target.count
                         : target.count * 10 + static_cast<std::uint64_t>(digit - '0');
    }
    if (target.count == 0) {
      throw MigrationError(fmt::format("{} {}: a step of 0 revisions does nothing: use {}1 or more",
                                       command, text, text[0]));
    }
    return target;
  }
  if (text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
      std::string::npos) {
    throw MigrationError(
        fmt::format("{} '{}' is not a revision id (ids hold letters, digits and _): name {}",
                    command, orm::detail::one_line(text), forms));
  }
  return target;
}

using Revisions = std::vector<const Revision*>;

bool contains(const std::set<std::string>& ids, const Revision* revision) {
  return ids.count(revision->id) != 0;
}

std::set<std::string> ids_of(const Revisions& revisions) {
  std::set<std::string> ids;
  for (const Revision* revision : revisions) ids.insert(revision->id);
  return ids;
}

// `revisions` without those in `ids`, order kept.
Revisions without(const Revisions& revisions, const std::set<std::string>& ids) {
  Revisions out;
  for (const Revision* revision : revisions) {
    if (!contains(ids, revision)) out.push_back(revision);
  }
  return out;
}

// "1a2b3c4d5e6f", "1a2b3c4d5e6f, 9f8e7d6c5b4a" or "base": where a database (or a set of
// revisions) is.
std::string at_text(const Revisions& heads) {
  std::vector<std::string> ids;
  for (const Revision* head : heads) ids.push_back(head->id);
  return ids.empty() ? "base" : join_revisions(ids);
}

// The revisions of `ids` that no other revision of `ids` follows, in revisions() order.
Revisions heads_of(const std::set<std::string>& ids, const ScriptDirectory& scripts) {
  Revisions heads;
  for (const auto& revision : scripts.revisions()) {
    if (ids.count(revision.id) == 0) continue;
    const auto children = scripts.children(revision);
    if (std::none_of(children.begin(), children.end(),
                     [&](const Revision* child) { return contains(ids, child); })) {
      heads.push_back(&revision);
    }
  }
  return heads;
}

// What a database has applied, checked against the files.
struct AppliedState {
  std::set<std::string> ids;                 // every applied revision
  std::map<std::string, std::size_t> order;  // id -> its row's place in the history table
  Revisions heads;                           // applied revisions no applied revision follows
};

// Checks the history rows against the files: refuses rows without a file, a revision recorded
// without one it follows, and (with `checksums`) applied files that were edited.
AppliedState applied_state(const std::vector<AppliedRevision>& rows, const ScriptDirectory& scripts,
                           bool checksums, const Settings& settings) {
  AppliedState state;
  std::map<std::string, const AppliedRevision*> by_id;
  for (const auto& row : rows) {
    if (scripts.find(row.revision) == nullptr) {
      throw MigrationError(fmt::format(
          "the database has revision {} ({}) applied, but no file in {} has that Revision ID: "
          "restore the file (e.g. from git), or record where the database really is with `{} db "
          "stamp REV`",
          row.revision, row.message, scripts.versions_directory().string(), settings.program));
    }
    state.order[row.revision] = state.ids.size();
    state.ids.insert(row.revision);
    by_id[row.revision] = &row;
  }
  for (const auto& revision : scripts.revisions()) {
    if (!contains(state.ids, &revision)) continue;
    for (const std::string& parent : revision.down_revisions) {
      if (state.ids.count(parent) != 0) continue;
      throw MigrationError(fmt::format(
          "{} is inconsistent: revision {} is recorded but {}, which it revises, is not: record "
          "where the database really is with `{} db stamp REV`",
          settings.history_table, revision.id, parent, settings.program));
    }
  }
  state.heads = heads_of(state.ids, scripts);
  if (!checksums) return state;
  Revisions edited;
  for (const auto& revision : scripts.revisions()) {
    if (contains(state.ids, &revision) && by_id.at(revision.id)->checksum != revision.checksum) {
      edited.push_back(&revision);
    }
  }
  if (edited.empty()) return state;
  const Revision& first = *edited.front();
  // A changed `Revises:` line: the revision was moved in the graph after this database ran it.
  // Accepting the file would leave the database's history contradicting the files.
  const auto& applied_parents = by_id.at(first.id)->down_revisions;
  if (std::set<std::string>(applied_parents.begin(), applied_parents.end()) !=
      std::set<std::string>(first.down_revisions.begin(), first.down_revisions.end())) {
    const auto revises = [](const std::vector<std::string>& ids) {
      return ids.empty() ? std::string("Revises: (nothing: base)")
                         : fmt::format("Revises: {}", fmt::join(ids, ", "));
    };
    throw MigrationError(fmt::format(
        "{0}: the 'Revises:' line of revision {1} changed after this database applied it ('{2}' "
        "then, '{3}' now): re-parenting moves only revisions no database has applied; put '{2}' "
        "back",
        first.path.string(), first.id, revises(applied_parents), revises(first.down_revisions)));
  }
  std::string more;
  if (edited.size() > 1) {
    std::vector<std::string> ids;
    for (std::size_t i = 1; i < edited.size(); ++i) ids.push_back(edited[i]->id);
    more = fmt::format(" ({} more edited: {})", edited.size() - 1, fmt::join(ids, " "));
  }
  throw MigrationError(fmt::format(
      "{0} was edited after revision {1} was applied (its checksum differs from {2}){3}: undo "
      "the edit and put the change in a new revision, or, to keep the edited file (e.g. you "
      "fixed its downgrade), run `{4} db accept {1}`",
      first.path.string(), first.id, settings.history_table, more, settings.program));
}

// The order in which to revert `revert` (a set that holds every applied revision that follows
// one of its own): each time, of the revisions nothing applied follows any more, the one applied
// last (`order`: the history rows' order, or any order that lists parents first).
Revisions revert_order(std::set<std::string> revert, std::set<std::string> applied,
                       const std::map<std::string, std::size_t>& order,
                       const ScriptDirectory& scripts) {
  Revisions out;
  while (!revert.empty()) {
    const Revision* next = nullptr;
    for (const std::string& id : revert) {
      const Revision* revision = scripts.find(id);
      const auto children = scripts.children(*revision);
      if (std::any_of(children.begin(), children.end(),
                      [&](const Revision* child) { return contains(applied, child); })) {
        continue;
      }
      if (next == nullptr || order.at(id) > order.at(next->id)) next = revision;
    }
    if (next == nullptr) {
      throw MigrationError("internal error: no revision to revert first (please report it)");
    }
    out.push_back(next);
    revert.erase(next->id);
    applied.erase(next->id);
  }
  return out;
}

// revisions()'s order as a revert_order() order: the files' order (for --sql, where no history
// table is read).
std::map<std::string, std::size_t> file_order(const ScriptDirectory& scripts) {
  std::map<std::string, std::size_t> order;
  for (const auto& revision : scripts.revisions()) order[revision.id] = order.size();
  return order;
}

// The revisions an absolute target names: head (the one head), heads (all), base (none), or a
// revision id. `applied` only improves the advice of the multiple-heads error.
Revisions named_revisions(const std::string& target, const ScriptDirectory& scripts,
                          const std::set<std::string>& applied = {}) {
  if (target == "heads") return scripts.heads();
  if (target == "head") {
    const Revision* head = scripts.head(applied);
    return head == nullptr ? Revisions{} : Revisions{head};
  }
  if (target == "base") return {};
  return {&scripts.resolve(target)};
}

// The revisions `+N` applies after those of `applied`: the next N on the way to the one head.
Revisions steps_up(const Target& target, const std::set<std::string>& applied,
                   const ScriptDirectory& scripts) {
  const Revisions pending =
      without(scripts.lineage(named_revisions("head", scripts, applied)), applied);
  if (target.count > pending.size()) return {};
  return Revisions(pending.begin(), pending.begin() + static_cast<long>(target.count));
}

// A new revision after `heads` (one, or several for a merge): a fresh id, now.
RevisionDraft next_revision(const ScriptDirectory& scripts, const Revisions& heads,
                            const std::string& message) {
  RevisionDraft draft;
  do {
    draft.id = new_revision_id();
  } while (scripts.find(draft.id) != nullptr);
  for (const Revision* head : heads) draft.down_revisions.push_back(head->id);
  draft.message = message;
  draft.create_date = create_date_now();
  return draft;
}

// What `--sql FROM:TO` prints: the revisions applied at FROM and at TO (each set lists every
// revision its members follow). Relative ends count from FROM.
struct OfflineRange {
  std::set<std::string> from;
  std::set<std::string> to;
};

OfflineRange offline_range(const std::string& range, const std::string& default_from,
                           const std::string& command, const ScriptDirectory& scripts,
                           const std::string& program) {
  const auto colon = range.find(':');
  const std::string from_text = colon == std::string::npos ? default_from : range.substr(0, colon);
  const std::string to_text = colon == std::string::npos ? range : range.substr(colon + 1);
  const std::string sql_command = command + " --sql";
  const Target from_target = parse_target(from_text, sql_command, program);
  const Target to_target = parse_target(to_text, sql_command, program);
  if (from_target.sign != 0) {
    throw MigrationError(
        fmt::format("--sql {}: the start of the range must be head, base or a revision id", range));
  }
  OfflineRange result;
  result.from = ids_of(scripts.lineage(named_revisions(from_text, scripts)));
  const auto beyond = [&] {
    return MigrationError(fmt::format("--sql {}: {} from {} goes beyond base or head", range,
                                      to_text, at_text(heads_of(result.from, scripts))));
  };
  if (to_target.sign > 0) {
    const Revisions up = steps_up(to_target, result.from, scripts);
    if (up.empty()) throw beyond();
    result.to = result.from;
    for (const Revision* revision : up) result.to.insert(revision->id);
  } else if (to_target.sign < 0) {
    if (to_target.count > result.from.size()) throw beyond();
    const Revisions down = revert_order(result.from, result.from, file_order(scripts), scripts);
    result.to = result.from;
    for (std::size_t i = 0; i < to_target.count; ++i) result.to.erase(down[i]->id);
  } else if (command == "downgrade" && to_text != "base" && to_text != "head" &&
             to_text != "heads" && result.from.count(scripts.resolve(to_text).id) != 0) {
    // Down to a revision: revert what follows it, keep other branches (as `db downgrade`).
    result.to = result.from;
    for (const Revision* later : scripts.descendants(scripts.resolve(to_text))) {
      result.to.erase(later->id);
    }
  } else {
    result.to = ids_of(scripts.lineage(named_revisions(to_text, scripts)));
  }
  return result;
}

// The statements of a revision section as --sql prints them (COPY rows included), then the
// session reset and the history row, as `db upgrade` sends them.
void print_statements(std::ostream& out, const Revision& revision,
                      const std::vector<Statement>& statements, const std::string& record) {
  out << (revision.transactional ? "BEGIN;\n\n"
                                 : "-- runs without a transaction (Transaction: no)\n\n");
  for (const auto& statement : statements) {
    out << with_semicolon(statement.sql) << "\n";
    if (statement.copy_data) out << *statement.copy_data << "\\.\n";
    out << "\n";
  }
  out << fmt::format("{};\n", fmt::join(detail::session_reset(""), "; "));
  out << with_semicolon(record) << "\n\n";
  if (revision.transactional) out << "COMMIT;\n\n";
}

}  // namespace

Migrations::Migrations(App& app, std::ostream& out, Settings settings)
    : app_(&app), out_(out), settings_(std::move(settings)) {}

Migrations::Migrations(std::function<App&()> app, std::ostream& out, Settings settings)
    : app_provider_(std::move(app)), out_(out), settings_(std::move(settings)) {}

App& Migrations::app() {
  if (app_ == nullptr) app_ = &app_provider_();
  return *app_;
}

ScriptDirectory Migrations::scripts() const {
  return ScriptDirectory::load(settings_.directory, settings_.program);
}

std::string Migrations::hint(const std::string& command) const {
  return fmt::format("`{} db {}`", settings_.program, command);
}

bool Migrations::say_if_no_revisions(const ScriptDirectory& scripts) {
  if (!scripts.revisions().empty()) return false;
  out_ << fmt::format("No revisions yet in {}: write the first with {}",
                      scripts.versions_directory().string(), hint("migrate -m \"message\""))
       << std::endl;
  return true;
}

void Migrations::init() {
  const fs::path& directory = settings_.directory;
  std::error_code error;
  if (fs::exists(directory, error)) {
    if (!fs::is_directory(directory, error)) {
      throw MigrationError(
          fmt::format("'{}' exists and is not a directory: remove it or pass another --directory",
                      directory.string()));
    }
    if (!fs::is_empty(directory, error)) {
      throw MigrationError(fmt::format(
          "directory {} already exists and is not empty: keep using it, or remove it (or pass "
          "another --directory) to start over",
          directory.string()));
    }
  } else {
    fs::create_directories(directory, error);
    if (error) {
      throw MigrationError(
          fmt::format("cannot create directory {}: {}", directory.string(), error.message()));
    }
    out_ << fmt::format("Creating directory {} ...  done", directory.string()) << std::endl;
  }
  const fs::path versions = directory / "versions";
  fs::create_directory(versions, error);
  if (error) {
    throw MigrationError(
        fmt::format("cannot create directory {}: {}", versions.string(), error.message()));
  }
  out_ << fmt::format("Creating directory {} ...  done", versions.string()) << std::endl;
  const fs::path readme = directory / "README";
  std::ofstream file(readme, std::ios::binary);
  const std::string commands =
      settings_.commands.empty()
          ? fmt::format("  {} db --help                     lists the commands\n",
                        settings_.program)
          : settings_.commands;
  file << fmt::format(kReadme, fmt::arg("program", settings_.program),
                      fmt::arg("commands", commands),
                      fmt::arg("history_table", detail::HistorySql(settings_).table()));
  file.close();
  if (!file) {
    throw MigrationError(fmt::format("cannot write {}: check the disk space", readme.string()));
  }
  out_ << fmt::format("Generating {} ...  done", readme.string()) << std::endl;
}

std::optional<fs::path> Migrations::migrate(const std::string& message,
                                            const std::vector<std::string>& renames) {
  const detail::FolderLock lock((settings_.directory / "versions").string(), out_);
  const ScriptDirectory scripts = this->scripts();
  std::vector<Rename> parsed;
  for (const auto& rename : renames) parsed.push_back(parse_rename(rename));

  App& app = this->app();
  const detail::HistorySql history = history_sql();
  const AppliedState state =
      applied_state(detail::read_history(app.db(), history, false), scripts, true, settings_);
  const Revision* head = scripts.head(state.ids);
  if (head != nullptr && !contains(state.ids, head)) {
    throw MigrationError(fmt::format(
        "Target database is not up to date: it is at {}, the newest revision is {}; run {} "
        "first, then {} again",
        at_text(state.heads), head->id, hint("upgrade"), hint("migrate")));
  }

  const SchemaDiff diff = compare(app.metadata(), reflect(app.db(), reflect_skip()), parsed,
                                  server_default_comparator(app.db()), settings_.program);
  print_detected(out_, diff);
  if (diff.empty()) {
    out_ << "No changes in schema detected." << std::endl;
    return std::nullopt;
  }

  RevisionDraft draft =
      next_revision(scripts, head == nullptr ? Revisions{} : Revisions{head}, message);
  draft.destructive = diff.destructive();
  draft.upgrade_body = fmt::format(
      "-- generated by `{0} db migrate`: check it (edit it if needed) before `{0} db "
      "upgrade`\n\n{1}",
      settings_.program, diff.upgrade_sql());
  draft.downgrade_body = diff.downgrade_sql();
  const fs::path path = scripts.write(draft);
  out_ << fmt::format("Generating {} ...  done", path.string()) << std::endl;
  for (const auto& rename : diff.possible_renames) {
    // "books.descrption:description" -> "books.descrption -> books.description"
    const std::string from = rename.substr(0, rename.find(':'));
    const auto dot = from.find('.');
    const std::string to = (dot == std::string::npos ? "" : from.substr(0, dot + 1)) +
                           rename.substr(rename.find(':') + 1);
    out_ << fmt::format(
                "Possible rename {} -> {}: the new revision drops the old one's data; to keep "
                "it, delete {} and run {}",
                from, to, path.string(),
                hint(fmt::format("migrate -m \"{}\" --rename {}", message, rename)))
         << std::endl;
  }
  return path;
}

fs::path Migrations::revision(const std::string& message) {
  const detail::FolderLock lock((settings_.directory / "versions").string(), out_);
  const ScriptDirectory scripts = this->scripts();
  const Revision* head = scripts.head();
  RevisionDraft draft =
      next_revision(scripts, head == nullptr ? Revisions{} : Revisions{head}, message);
  draft.upgrade_body = "-- Write the SQL that makes the change here; end each statement with ;\n";
  draft.downgrade_body = "-- Write the SQL that undoes the upgrade here.\n";
  fs::path path = scripts.write(draft);
  out_ << fmt::format("Generating {} ...  done", path.string()) << std::endl;
  return path;
}

fs::path Migrations::merge(const std::string& message, const std::vector<std::string>& revisions) {
  const detail::FolderLock lock((settings_.directory / "versions").string(), out_);
  const ScriptDirectory scripts = this->scripts();
  Revisions joined;
  for (const std::string& text :
       revisions.empty() ? std::vector<std::string>{"heads"} : revisions) {
    const Target target = parse_target(text, "merge", settings_.program);
    if (target.sign != 0 || text == "base") {
      throw MigrationError(
          fmt::format("merge {}: name the revisions to join (see {}), or none to join every head",
                      text, hint("heads")));
    }
    for (const Revision* revision : named_revisions(text, scripts)) {
      if (std::find(joined.begin(), joined.end(), revision) == joined.end()) {
        joined.push_back(revision);
      }
    }
  }
  if (joined.size() < 2) {
    if (joined.empty()) {
      throw MigrationError(fmt::format("no revisions yet in {}: there is nothing to merge",
                                       scripts.versions_directory().string()));
    }
    throw MigrationError(
        fmt::format("nothing to merge: {} {}; a merge revision joins two or more heads (see {})",
                    revisions.empty() ? "there is one head," : "only one revision given,",
                    describe(*joined.front()), hint("heads")));
  }
  for (const Revision* revision : joined) {
    for (const Revision* other : joined) {
      if (other == revision) continue;
      const auto before = scripts.lineage({other});
      if (std::find(before.begin(), before.end(), revision) != before.end()) {
        throw MigrationError(fmt::format(
            "merge: {} is already in the history of {}: merge revisions of different branches "
            "(see {})",
            revision->id, other->id, hint("heads")));
      }
    }
  }
  std::sort(joined.begin(), joined.end(), [&](const Revision* a, const Revision* b) {
    return scripts.position(*a) < scripts.position(*b);
  });
  std::vector<std::string> ids;
  for (const Revision* revision : joined) ids.push_back(revision->id);
  const std::string default_message = ids.size() == 2
                                          ? fmt::format("merges {} and {}", ids[0], ids[1])
                                          : fmt::format("merges {} heads", ids.size());
  RevisionDraft draft = next_revision(scripts, joined, message.empty() ? default_message : message);
  draft.upgrade_body =
      "-- A merge revision joins branches and usually needs no SQL; add some here only if the\n"
      "-- branches' changes need reconciling.\n";
  draft.downgrade_body = "-- Undo here what the upgrade section does (usually nothing).\n";
  fs::path path = scripts.write(draft);
  out_ << fmt::format("Generating {} ...  done", path.string()) << std::endl;
  return path;
}

std::string Migrations::reflect_skip() {
  return history_schema() == "public" ? settings_.history_table : std::string();
}

detail::HistorySql Migrations::history_sql() {
  return detail::HistorySql(history_schema(), settings_.history_table);
}

const std::string& Migrations::history_schema() {
  if (!settings_.history_schema.empty()) return settings_.history_schema;
  if (current_schema_.empty()) {
    Database& db = app().db();
    std::optional<std::string> schema;
    try {
      pqxx::nontransaction tx(db.connection());
      const pqxx::row row = tx.exec1("SELECT pg_catalog.current_schema()");
      if (!row[0].is_null()) schema = row[0].as<std::string>();
    } catch (...) {
      orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
    }
    if (!schema) {
      throw MigrationError(fmt::format(
          "no schema for {}: the search_path of {} on {} names no schema that exists; create "
          "one (CREATE SCHEMA) or set the user's search_path to one it may write to",
          settings_.history_table, db.url().user(), db.url().database()));
    }
    current_schema_ = *schema;
  }
  return current_schema_;
}

void Migrations::run(const std::vector<const Revision*>& revisions, bool up,
                     const std::string& command, Database& db) {
  const detail::HistorySql history = history_sql();
  const detail::RunContext context{history, settings_.program,
                                   fmt::format("{} db {}", settings_.program, command)};
  const auto direction = up ? detail::Direction::upgrade : detail::Direction::downgrade;
  // The revisions change the schema the session's prepared statements were planned for (e.g. a
  // column int -> bigint): they are prepared again with their next use.
  db.forget_prepared_statements();
  for (const Revision* revision : revisions) {
    if (up && !revision->destructive.empty()) out_ << destructive_line(*revision) << "\n";
    out_ << running_line(*revision, direction) << std::endl;
    if (!up && revision->downgrade.empty() && !revision->upgrade.empty()) {
      out_ << fmt::format(
                  "Warning: the downgrade section of {} is empty: nothing of its upgrade is "
                  "undone, but the database is recorded without it; write its downgrade (and "
                  "undo its changes by hand) before you upgrade again",
                  revision->path.filename().string())
           << std::endl;
    }
    detail::run_revision(db, context, *revision, direction);
  }
}

void Migrations::upgrade(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const Target target = parse_target(target_text, "upgrade", settings_.program);
  if (target.sign < 0) {
    throw MigrationError(fmt::format("upgrade {} would go down: run {} instead", target_text,
                                     hint("downgrade " + target_text)));
  }
  if (target.sign == 0 && target_text != "head" && target_text != "heads") {
    named_revisions(target_text, scripts);  // an unknown id is refused before connecting
  }
  if (say_if_no_revisions(scripts)) return;

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db upgrade", settings_.program),
                                   settings_.lock_timeout_seconds);
  const AppliedState state =
      applied_state(detail::read_history(db, history_sql(), true), scripts, true, settings_);
  Revisions pending;
  if (target.sign > 0) {
    pending = steps_up(target, state.ids, scripts);
    if (pending.empty()) {
      const auto left = without(scripts.lineage({scripts.head(state.ids)}), state.ids).size();
      throw MigrationError(fmt::format(
          "upgrade {} goes past head: the database is at {} and {} revision(s) are not applied "
          "yet; run {} to apply them all",
          target_text, at_text(state.heads), left, hint("upgrade")));
    }
  } else {
    const Revisions targets = named_revisions(target_text, scripts, state.ids);
    // A target that is applied, with later revisions applied too, is below the database.
    bool below = target_text == "base" && !state.ids.empty();
    for (const Revision* wanted : targets) {
      if (!contains(state.ids, wanted)) continue;
      for (const Revision* later : scripts.descendants(*wanted)) {
        below = below || contains(state.ids, later);
      }
    }
    if (below) {
      throw MigrationError(fmt::format(
          "revision {} is older than the database's revision {}: to go back to it, run {}",
          target_text, at_text(state.heads), hint("downgrade " + target_text)));
    }
    pending = without(scripts.lineage(targets), state.ids);
  }
  run(pending, true, "upgrade", db);
}

void Migrations::downgrade(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const Target target = parse_target(target_text, "downgrade", settings_.program);
  if (target.sign > 0) {
    throw MigrationError(fmt::format("downgrade {} would go up: run {} instead", target_text,
                                     hint("upgrade " + target_text)));
  }
  if (target.sign == 0 && target_text != "head" && target_text != "heads") {
    named_revisions(target_text, scripts);  // an unknown id is refused before connecting
  }

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db downgrade", settings_.program),
                                   settings_.lock_timeout_seconds);
  const AppliedState state =
      applied_state(detail::read_history(db, history_sql(), true), scripts, true, settings_);
  std::set<std::string> revert;
  if (target.sign < 0) {
    if (target.count > state.ids.size()) {
      if (state.ids.empty()) {
        throw MigrationError(
            "nothing to downgrade: no revision is applied (the database is at base)");
      }
      throw MigrationError(fmt::format(
          "downgrade {} goes below base: only {} revision(s) are applied; run {} to revert them "
          "all",
          target_text, state.ids.size(), hint("downgrade base")));
    }
    const Revisions order = revert_order(state.ids, state.ids, state.order, scripts);
    run({order.begin(), order.begin() + static_cast<long>(target.count)}, false, "downgrade", db);
    return;
  }
  // Down to base reverts everything; down to a revision reverts what follows it and keeps it
  // and every other branch (Alembic's rule).
  if (target_text == "base") revert = state.ids;
  for (const Revision* kept : named_revisions(target_text, scripts, state.ids)) {
    if (!contains(state.ids, kept)) {
      throw MigrationError(fmt::format(
          "revision {} is not applied yet (the database is at {}): to go forward to it, run {}",
          target_text, at_text(state.heads), hint("upgrade " + target_text)));
    }
    for (const Revision* later : scripts.descendants(*kept)) {
      if (contains(state.ids, later)) revert.insert(later->id);
    }
  }
  run(revert_order(revert, state.ids, state.order, scripts), false, "downgrade", db);
}

void Migrations::upgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const OfflineRange offline = offline_range(range, "base", "upgrade", scripts, settings_.program);
  const bool down = std::any_of(offline.from.begin(), offline.from.end(),
                                [&](const std::string& id) { return offline.to.count(id) == 0; });
  if (down) {
    throw MigrationError(
        fmt::format("upgrade --sql {} goes down: use {}", range, hint("downgrade --sql " + range)));
  }
  const detail::HistorySql history(settings_);
  if (offline.from.empty()) out_ << history.create() << ";\n\n";
  for (const auto& revision : scripts.revisions()) {
    if (offline.from.count(revision.id) != 0 || offline.to.count(revision.id) == 0) continue;
    if (!revision.destructive.empty()) out_ << "-- " << destructive_line(revision) << "\n";
    out_ << "-- " << running_line(revision, detail::Direction::upgrade) << "\n\n";
    print_statements(out_, revision, revision.upgrade,
                     history.record(revision, detail::Direction::upgrade, false));
  }
  out_.flush();
}

void Migrations::downgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const OfflineRange offline =
      offline_range(range, "head", "downgrade", scripts, settings_.program);
  const bool up = std::any_of(offline.to.begin(), offline.to.end(),
                              [&](const std::string& id) { return offline.from.count(id) == 0; });
  if (up) {
    throw MigrationError(
        fmt::format("downgrade --sql {} goes up: use {}", range, hint("upgrade --sql " + range)));
  }
  std::set<std::string> revert;
  for (const std::string& id : offline.from) {
    if (offline.to.count(id) == 0) revert.insert(id);
  }
  const detail::HistorySql history(settings_);
  for (const Revision* revision :
       revert_order(revert, offline.from, file_order(scripts), scripts)) {
    out_ << "-- " << running_line(*revision, detail::Direction::downgrade) << "\n\n";
    print_statements(out_, *revision, revision->downgrade,
                     history.record(*revision, detail::Direction::downgrade, false));
  }
  out_.flush();
}

std::optional<std::string> Migrations::current() {
  const ScriptDirectory scripts = this->scripts();
  const auto applied = detail::read_history(app().db(), history_sql(), false);
  std::set<std::string> revised;
  for (const auto& row : applied)
    revised.insert(row.down_revisions.begin(), row.down_revisions.end());
  const auto heads = scripts.heads();
  std::optional<std::string> result;
  for (const auto& row : applied) {
    if (revised.count(row.revision) != 0) continue;
    const bool head = std::any_of(heads.begin(), heads.end(),
                                  [&](const Revision* r) { return r->id == row.revision; });
    out_ << row.revision << (head ? " (head)" : "")
         << (scripts.find(row.revision) == nullptr ? " (no file in versions/)" : "") << "\n";
    if (!result) result = row.revision;
  }
  if (!result && !say_if_no_revisions(scripts)) {
    out_ << fmt::format("No revision applied yet (the database is at base): {} applies them",
                        hint("upgrade"))
         << "\n";
  }
  out_.flush();
  return result;
}

void Migrations::history() {
  const ScriptDirectory scripts = this->scripts();
  if (say_if_no_revisions(scripts)) return;
  std::set<std::string> current;
  std::string unreachable;
  try {
    const auto applied = detail::read_history(app().db(), history_sql(), false);
    std::set<std::string> revised;
    for (const auto& row : applied) {
      revised.insert(row.down_revisions.begin(), row.down_revisions.end());
    }
    for (const auto& row : applied) {
      if (revised.count(row.revision) == 0) current.insert(row.revision);
    }
  } catch (const ConnectionError& e) {
    unreachable = e.what();
  } catch (const ConfigError& e) {
    unreachable = e.what();
  }
  const auto heads = scripts.heads();
  const auto& revisions = scripts.revisions();
  // As Alembic prints it: "a, b -> m (head) (current) (mergepoint), message".
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    const bool head = std::find(heads.begin(), heads.end(), &*it) != heads.end();
    out_ << (it->down_revisions.empty() ? "<base>" : join_revisions(it->down_revisions)) << " -> "
         << it->id << (head ? " (head)" : "") << (current.count(it->id) != 0 ? " (current)" : "")
         << (scripts.children(*it).size() > 1 ? " (branchpoint)" : "")
         << (it->down_revisions.size() > 1 ? " (mergepoint)" : "")
         << (it->message.empty() ? "" : ", " + it->message) << "\n";
  }
  if (!unreachable.empty()) out_ << "(current revision not marked: " << unreachable << ")\n";
  out_.flush();
}

void Migrations::heads() {
  const ScriptDirectory scripts = this->scripts();
  for (const Revision* head : scripts.heads()) out_ << head->id << " (head)\n";
  out_.flush();
}

void Migrations::show(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const Revision* revision = nullptr;
  if (target == "head") {
    revision = scripts.head();
    if (revision == nullptr) {
      throw MigrationError(
          fmt::format("there is no revision yet: create one with {}", hint("migrate -m MESSAGE")));
    }
  } else if (target == "base") {
    throw MigrationError(fmt::format(
        "base is not a revision (it is the state before the first one): name a revision id, see "
        "{}",
        hint("history")));
  } else {
    revision = &scripts.resolve(parse_target(target, "show", settings_.program).text);
  }
  const auto heads = scripts.heads();
  const auto children = scripts.children(*revision);
  const bool head = std::find(heads.begin(), heads.end(), revision) != heads.end();
  const bool merge = revision->down_revisions.size() > 1;
  out_ << "Rev: " << revision->id << (head ? " (head)" : "")
       << (children.size() > 1 ? " (branchpoint)" : "") << (merge ? " (mergepoint)" : "") << "\n";
  out_ << (merge ? "Merges: " : "Parent: ")
       << (revision->down_revisions.empty() ? "<base>" : join_revisions(revision->down_revisions))
       << "\n";
  if (children.size() > 1) out_ << "Branches into: " << at_text(children) << "\n";
  out_ << "Path: " << revision->path.string() << "\n\n";
  for (const auto& line : revision->header) {
    out_ << (line.empty() ? "" : "    " + line) << "\n";
  }
  out_ << "\n";
  out_.flush();
}

void Migrations::stamp(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const Target target = parse_target(target_text, "stamp", settings_.program);
  if (target.sign != 0) {
    throw MigrationError("stamp takes head, heads, base or a revision id, not " + target_text);
  }
  const Revisions targets = named_revisions(target_text, scripts);
  const Revisions wanted = scripts.lineage(targets);

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db stamp", settings_.program),
                                   settings_.lock_timeout_seconds);
  const detail::HistorySql history = history_sql();
  const auto applied = detail::read_history(db, history, true);
  std::set<std::string> have;
  std::set<std::string> revised;
  for (const auto& row : applied) {
    have.insert(row.revision);
    revised.insert(row.down_revisions.begin(), row.down_revisions.end());
  }
  const std::set<std::string> wanted_ids = ids_of(wanted);
  if (have == wanted_ids) return;  // already recorded as that revision

  std::vector<std::string> from;
  for (const auto& row : applied) {
    if (revised.count(row.revision) == 0) from.push_back(row.revision);
  }
  out_ << "Running stamp_revision " << join_revisions(from) << " -> "
       << (targets.empty() ? "" : at_text(targets)) << std::endl;
  try {
    pqxx::work tx(db.connection());
    for (const auto& row : applied) {
      if (wanted_ids.count(row.revision) == 0) tx.exec(history.remove(row.revision));
    }
    for (const Revision* revision : wanted) {
      if (have.count(revision->id) == 0) {
        tx.exec(history.record(*revision, detail::Direction::upgrade, false));
      }
    }
    tx.commit();
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

CheckResult Migrations::check() {
  const ScriptDirectory scripts = this->scripts();
  App& app = this->app();
  const AppliedState state =
      applied_state(detail::read_history(app.db(), history_sql(), false), scripts, true, settings_);
  const Revision* head = scripts.head(state.ids);
  if (head != nullptr && !contains(state.ids, head)) {
    throw MigrationError(fmt::format(
        "Target database is not up to date: it is at {}, the newest revision is {}; run {}",
        at_text(state.heads), head->id, hint("upgrade")));
  }
  const SchemaDiff diff = compare(app.metadata(), reflect(app.db(), reflect_skip()), {},
                                  server_default_comparator(app.db()), settings_.program);
  if (diff.empty()) {
    out_ << "No new upgrade operations detected." << std::endl;
    return {};
  }
  print_detected(out_, diff);
  out_.flush();
  // `db migrate` would write a revision that throws data away: the caller says so before anyone
  // runs it.
  return {false, diff.destructive()};
}

void Migrations::accept(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const Revision& revision =
      scripts.resolve(parse_target(target, "accept", settings_.program).text);
  Database& db = app().db();
  const detail::HistorySql history = history_sql();
  const auto applied = detail::read_history(db, history, false);
  const auto row = std::find_if(applied.begin(), applied.end(), [&](const AppliedRevision& r) {
    return r.revision == revision.id;
  });
  if (row == applied.end()) {
    throw MigrationError(fmt::format(
        "revision {} is not applied to this database: nothing to accept ({} runs the file as it "
        "is now)",
        describe(revision), hint("upgrade")));
  }
  if (row->checksum == revision.checksum) {
    out_ << fmt::format("{} is unchanged since it was applied: nothing to accept",
                        revision.path.string())
         << std::endl;
    return;
  }
  try {
    pqxx::nontransaction tx(db.connection());
    tx.exec(history.accept(revision));
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
  out_ << fmt::format(
              "Accepted the edited {} for revision {} (the database keeps what the old text did)",
              revision.path.string(), revision.id)
       << std::endl;
}

std::vector<AppliedRevision> Migrations::applied() {
  return detail::read_history(app().db(), history_sql(), false);
}

}  // namespace orm::migrate
