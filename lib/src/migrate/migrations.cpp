// The migration commands: what `hello_books db <command>` does.
#include "orm/migrate.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
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

std::string at_text(const std::vector<const Revision*>& chain, std::size_t position) {
  return position == 0 ? "base" : chain[position - 1]->id;
}

// "Running upgrade  -> 1a2b3c4d5e6f, adds Book model", as Alembic prints it.
std::string running_line(const Revision& revision, detail::Direction direction) {
  const bool up = direction == detail::Direction::upgrade;
  const std::string line =
      up ? fmt::format("Running upgrade {} -> {}", revision.down_revision, revision.id)
         : fmt::format("Running downgrade {} -> {}", revision.id, revision.down_revision);
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

// The chain index an absolute target names: 0 is base, chain.size() is head; revision ids
// count the revision as applied.
std::size_t absolute_index(const std::string& target, const ScriptDirectory& scripts,
                           const std::vector<const Revision*>& chain) {
  if (target == "head" || target == "heads") return chain.size();
  if (target == "base") return 0;
  const Revision& revision = scripts.resolve(target);
  const auto it = std::find(chain.begin(), chain.end(), &revision);
  return static_cast<std::size_t>(it - chain.begin()) + 1;  // chain() holds every revision
}

// A new revision after the chain's head: a fresh id, the head as its down revision, now.
RevisionDraft next_revision(const ScriptDirectory& scripts,
                            const std::vector<const Revision*>& chain, const std::string& message) {
  RevisionDraft draft;
  do {
    draft.id = new_revision_id();
  } while (scripts.find(draft.id) != nullptr);
  draft.down_revision = chain.empty() ? "" : chain.back()->id;
  draft.message = message;
  draft.create_date = create_date_now();
  return draft;
}

// Checks the history rows against the files and returns how many chain revisions are applied.
// Refuses rows without a file, gaps, and (with `checksums`) applied files that were edited.
std::size_t applied_position(const std::vector<AppliedRevision>& applied,
                             const ScriptDirectory& scripts,
                             const std::vector<const Revision*>& chain, bool checksums,
                             const Settings& settings) {
  std::map<std::string, const AppliedRevision*> by_id;
  for (const auto& row : applied) {
    if (scripts.find(row.revision) == nullptr) {
      throw MigrationError(fmt::format(
          "the database has revision {} ({}) applied, but no file in {} has that Revision ID: "
          "restore the file (e.g. from git), or record where the database really is with `{} db "
          "stamp REV`",
          row.revision, row.message, scripts.versions_directory().string(), settings.program));
    }
    by_id[row.revision] = &row;
  }
  const std::size_t position = applied.size();
  for (std::size_t i = 0; i < position; ++i) {
    if (by_id.count(chain[i]->id) == 0) {
      throw MigrationError(fmt::format(
          "{} is inconsistent: revision {} is not recorded but revisions after it are: record "
          "where the database really is with `{} db stamp REV`",
          settings.history_table, chain[i]->id, settings.program));
    }
  }
  if (!checksums) return position;
  std::vector<const Revision*> edited;
  for (std::size_t i = 0; i < position; ++i) {
    if (by_id.at(chain[i]->id)->checksum != chain[i]->checksum) edited.push_back(chain[i]);
  }
  if (edited.empty()) return position;
  const Revision& first = *edited.front();
  std::string more;
  if (edited.size() > 1) {
    std::vector<std::string> ids;
    for (std::size_t i = 1; i < edited.size(); ++i) ids.push_back(edited[i]->id);
    more = fmt::format(" ({} more edited: {})", edited.size() - 1, fmt::join(ids, " "));
  }
  throw MigrationError(fmt::format(
      "{0} was edited after revision {1} was applied (its checksum differs from {2}){3}: undo "
      "the edit (e.g. git checkout {0}) and put the change in a new revision, or keep the edited "
      "file with `{4} db accept {1}`",
      first.path.string(), first.id, settings.history_table, more, settings.program));
}

// Splits "FROM:TO" (or "TO") and resolves both ends over the chain; relative ends count from
// FROM.
std::pair<std::size_t, std::size_t> offline_range(const std::string& range,
                                                  const std::string& default_from,
                                                  const std::string& command,
                                                  const ScriptDirectory& scripts,
                                                  const std::vector<const Revision*>& chain,
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
  const std::size_t from = absolute_index(from_text, scripts, chain);
  if (to_target.sign == 0) return {from, absolute_index(to_text, scripts, chain)};
  const bool fits =
      to_target.sign > 0 ? to_target.count <= chain.size() - from : to_target.count <= from;
  if (!fits) {
    throw MigrationError(fmt::format("--sql {}: {} from {} goes beyond base or head", range,
                                     to_text, at_text(chain, from)));
  }
  return {from, to_target.sign > 0 ? from + to_target.count : from - to_target.count};
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
  const auto chain = scripts.chain();
  std::vector<Rename> parsed;
  for (const auto& rename : renames) parsed.push_back(parse_rename(rename));

  App& app = this->app();
  const detail::HistorySql history(settings_);
  const auto applied = detail::read_history(app.db(), history, false);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_);
  if (position != chain.size()) {
    throw MigrationError(fmt::format(
        "Target database is not up to date: it is at {}, the newest revision is {}; run {} "
        "first, then {} again",
        at_text(chain, position), chain.back()->id, hint("upgrade"), hint("migrate")));
  }

  const SchemaDiff diff = compare(app.metadata(), reflect(app.db(), reflect_skip()), parsed,
                                  server_default_comparator(app.db()), settings_.program);
  for (const auto& change : diff.changes) {
    out_ << "Detected " << change.description
         << (change.destructive.empty() ? "" : " (destructive)") << "\n";
  }
  if (diff.empty()) {
    out_ << "No changes in schema detected." << std::endl;
    return std::nullopt;
  }

  RevisionDraft draft = next_revision(scripts, chain, message);
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
  const auto chain = scripts.chain();
  RevisionDraft draft = next_revision(scripts, chain, message);
  draft.upgrade_body = "-- Write the SQL that makes the change here; end each statement with ;\n";
  draft.downgrade_body = "-- Write the SQL that undoes the upgrade here.\n";
  fs::path path = scripts.write(draft);
  out_ << fmt::format("Generating {} ...  done", path.string()) << std::endl;
  return path;
}

std::string Migrations::reflect_skip() const {
  return settings_.history_schema == "public" ? settings_.history_table : std::string();
}

void Migrations::run(const std::vector<const Revision*>& revisions, bool up,
                     const std::string& command, Database& db) {
  const detail::HistorySql history(settings_);
  const detail::RunContext context{history, settings_.program,
                                   fmt::format("{} db {}", settings_.program, command)};
  const auto direction = up ? detail::Direction::upgrade : detail::Direction::downgrade;
  // The revisions change the schema the session's prepared statements were planned for (e.g. a
  // column int -> bigint): they are prepared again with their next use.
  db.forget_prepared_statements();
  for (const Revision* revision : revisions) {
    if (up && !revision->destructive.empty()) out_ << destructive_line(*revision) << "\n";
    out_ << running_line(*revision, direction) << std::endl;
    detail::run_revision(db, context, *revision, direction);
  }
}

void Migrations::upgrade(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const Target target = parse_target(target_text, "upgrade", settings_.program);
  const auto chain = scripts.chain();
  if (target.sign < 0) {
    throw MigrationError(fmt::format("upgrade {} would go down: run {} instead", target_text,
                                     hint("downgrade " + target_text)));
  }
  const std::size_t wanted = target.sign != 0 ? 0 : absolute_index(target_text, scripts, chain);
  if (say_if_no_revisions(scripts)) return;

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db upgrade", settings_.program),
                                   settings_.lock_timeout_seconds);
  const auto applied = detail::read_history(db, detail::HistorySql(settings_), true);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_);
  std::size_t destination = wanted;
  if (target.sign != 0) {
    if (target.count > chain.size() - position) {
      throw MigrationError(fmt::format(
          "upgrade {} goes past head: the database is at {} and {} revision(s) are not applied "
          "yet; run {} to apply them all",
          target_text, at_text(chain, position), chain.size() - position, hint("upgrade")));
    }
    destination = position + target.count;
  } else if (destination < position) {
    throw MigrationError(fmt::format(
        "revision {} is older than the database's revision {}: to go back to it, run {}",
        target_text, at_text(chain, position), hint("downgrade " + target_text)));
  }
  run({chain.begin() + static_cast<long>(position), chain.begin() + static_cast<long>(destination)},
      true, "upgrade", db);
}

void Migrations::downgrade(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const Target target = parse_target(target_text, "downgrade", settings_.program);
  const auto chain = scripts.chain();
  if (target.sign > 0) {
    throw MigrationError(fmt::format("downgrade {} would go up: run {} instead", target_text,
                                     hint("upgrade " + target_text)));
  }
  const std::size_t wanted = target.sign != 0 ? 0 : absolute_index(target_text, scripts, chain);

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db downgrade", settings_.program),
                                   settings_.lock_timeout_seconds);
  const auto applied = detail::read_history(db, detail::HistorySql(settings_), true);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_);
  std::size_t destination = wanted;
  if (target.sign != 0) {
    if (target.count > position) {
      if (position == 0) {
        throw MigrationError(
            "nothing to downgrade: no revision is applied (the database is at base)");
      }
      throw MigrationError(fmt::format(
          "downgrade {} goes below base: only {} revision(s) are applied; run {} to revert them "
          "all",
          target_text, position, hint("downgrade base")));
    }
    destination = position - target.count;
  } else if (destination > position) {
    throw MigrationError(fmt::format(
        "revision {} is not applied yet (the database is at {}): to go forward to it, run {}",
        target_text, at_text(chain, position), hint("upgrade " + target_text)));
  }
  std::vector<const Revision*> reverted(chain.begin() + static_cast<long>(destination),
                                        chain.begin() + static_cast<long>(position));
  std::reverse(reverted.begin(), reverted.end());
  run(reverted, false, "downgrade", db);
}

void Migrations::upgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto [from, to] =
      offline_range(range, "base", "upgrade", scripts, chain, settings_.program);
  if (to < from) {
    throw MigrationError(
        fmt::format("upgrade --sql {} goes down: use {}", range, hint("downgrade --sql " + range)));
  }
  const detail::HistorySql history(settings_);
  if (from == 0) out_ << history.create() << ";\n\n";
  for (std::size_t i = from; i < to; ++i) {
    const Revision& revision = *chain[i];
    if (!revision.destructive.empty()) out_ << "-- " << destructive_line(revision) << "\n";
    out_ << "-- " << running_line(revision, detail::Direction::upgrade) << "\n\n";
    print_statements(out_, revision, revision.upgrade,
                     history.record(revision, detail::Direction::upgrade, false));
  }
  out_.flush();
}

void Migrations::downgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto [from, to] =
      offline_range(range, "head", "downgrade", scripts, chain, settings_.program);
  if (to > from) {
    throw MigrationError(
        fmt::format("downgrade --sql {} goes up: use {}", range, hint("upgrade --sql " + range)));
  }
  const detail::HistorySql history(settings_);
  for (std::size_t i = from; i > to; --i) {
    const Revision& revision = *chain[i - 1];
    out_ << "-- " << running_line(revision, detail::Direction::downgrade) << "\n\n";
    print_statements(out_, revision, revision.downgrade,
                     history.record(revision, detail::Direction::downgrade, false));
  }
  out_.flush();
}

std::optional<std::string> Migrations::current() {
  const ScriptDirectory scripts = this->scripts();
  const auto applied = detail::read_history(app().db(), detail::HistorySql(settings_), false);
  std::set<std::string> revised;
  for (const auto& row : applied) revised.insert(row.down_revision);
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
    const auto applied = detail::read_history(app().db(), detail::HistorySql(settings_), false);
    std::set<std::string> revised;
    for (const auto& row : applied) revised.insert(row.down_revision);
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
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    const bool head = std::find(heads.begin(), heads.end(), &*it) != heads.end();
    out_ << (it->down_revision.empty() ? "<base>" : it->down_revision) << " -> " << it->id
         << (head ? " (head)" : "") << (current.count(it->id) != 0 ? " (current)" : "")
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
    const auto chain = scripts.chain();
    if (chain.empty()) {
      throw MigrationError(
          fmt::format("there is no revision yet: create one with {}", hint("migrate -m MESSAGE")));
    }
    revision = chain.back();
  } else if (target == "base") {
    throw MigrationError(fmt::format(
        "base is not a revision (it is the state before the first one): name a revision id, see "
        "{}",
        hint("history")));
  } else {
    revision = &scripts.resolve(parse_target(target, "show", settings_.program).text);
  }
  const auto heads = scripts.heads();
  const bool head = std::find(heads.begin(), heads.end(), revision) != heads.end();
  out_ << "Rev: " << revision->id << (head ? " (head)" : "") << "\n";
  out_ << "Parent: " << (revision->down_revision.empty() ? "<base>" : revision->down_revision)
       << "\n";
  out_ << "Path: " << revision->path.string() << "\n\n";
  for (const auto& line : revision->header) {
    out_ << (line.empty() ? "" : "    " + line) << "\n";
  }
  out_ << "\n";
  out_.flush();
}

void Migrations::stamp(const std::string& target_text) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const Target target = parse_target(target_text, "stamp", settings_.program);
  if (target.sign != 0) {
    throw MigrationError("stamp takes head, base or a revision id, not " + target_text);
  }
  const std::size_t destination = absolute_index(target_text, scripts, chain);

  Database& db = app().db();
  const detail::MigrationLock lock(db, out_, fmt::format("{} db stamp", settings_.program),
                                   settings_.lock_timeout_seconds);
  const detail::HistorySql history(settings_);
  const auto applied = detail::read_history(db, history, true);
  std::set<std::string> wanted;
  for (std::size_t i = 0; i < destination; ++i) wanted.insert(chain[i]->id);
  std::set<std::string> have;
  std::set<std::string> revised;
  for (const auto& row : applied) {
    have.insert(row.revision);
    revised.insert(row.down_revision);
  }
  if (have == wanted) return;  // already recorded as that revision

  std::string from;
  for (const auto& row : applied) {
    if (revised.count(row.revision) == 0) from = row.revision;
  }
  out_ << "Running stamp_revision " << from << " -> "
       << (destination == 0 ? "" : chain[destination - 1]->id) << std::endl;
  try {
    pqxx::work tx(db.connection());
    for (const auto& row : applied) {
      if (wanted.count(row.revision) == 0) tx.exec(history.remove(row.revision));
    }
    for (std::size_t i = 0; i < destination; ++i) {
      if (have.count(chain[i]->id) == 0) {
        tx.exec(history.record(*chain[i], detail::Direction::upgrade, false));
      }
    }
    tx.commit();
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

bool Migrations::check() {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  App& app = this->app();
  const auto applied = detail::read_history(app.db(), detail::HistorySql(settings_), false);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_);
  if (position != chain.size()) {
    throw MigrationError(fmt::format(
        "Target database is not up to date: it is at {}, the newest revision is {}; run {}",
        at_text(chain, position), chain.back()->id, hint("upgrade")));
  }
  const SchemaDiff diff = compare(app.metadata(), reflect(app.db(), reflect_skip()), {},
                                  server_default_comparator(app.db()), settings_.program);
  if (diff.empty()) {
    out_ << "No new upgrade operations detected." << std::endl;
    return true;
  }
  for (const auto& change : diff.changes) out_ << "Detected " << change.description << "\n";
  out_.flush();
  return false;
}

void Migrations::accept(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const Revision& revision =
      scripts.resolve(parse_target(target, "accept", settings_.program).text);
  Database& db = app().db();
  const detail::HistorySql history(settings_);
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
  return detail::read_history(app().db(), detail::HistorySql(settings_), false);
}

}  // namespace orm::migrate
