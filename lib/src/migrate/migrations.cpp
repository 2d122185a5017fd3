// The migration commands: what `hello_books db <command>` does.
#include "orm/migrate.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "../translate.hpp"
#include "history.hpp"

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
statement by statement instead (for CREATE INDEX CONCURRENTLY).

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
  std::string line = up ? "Running upgrade " + revision.down_revision + " -> " + revision.id
                        : "Running downgrade " + revision.id + " -> " + revision.down_revision;
  if (!revision.message.empty()) line += ", " + revision.message;
  return line;
}

// A relative step "+N" or "-N": its sign and size; nothing for any other text.
struct Step {
  int sign = 0;
  std::size_t count = 0;
};
std::optional<Step> relative_step(const std::string& target) {
  if (target.size() < 2 || (target[0] != '+' && target[0] != '-')) return std::nullopt;
  if (!std::all_of(target.begin() + 1, target.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      target.size() > 9) {
    return std::nullopt;
  }
  return Step{target[0] == '+' ? 1 : -1, std::stoul(target.substr(1))};
}

// The chain index an absolute target names: 0 is base, chain.size() is head; revision ids
// count the revision as applied.
std::size_t absolute_index(const std::string& target, const ScriptDirectory& scripts,
                           const std::vector<const Revision*>& chain) {
  if (target == "head" || target == "heads") return chain.size();
  if (target == "base") return 0;
  const Revision& revision = scripts.resolve(target);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (chain[i] == &revision) return i + 1;
  }
  return chain.size();  // unreachable: chain() holds every revision when it does not throw
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
  return "`" + settings_.program + " db " + command + "`";
}

namespace {

// Checks the history rows against the files and returns how many chain revisions are applied.
// Refuses rows without a file, gaps, and (with `checksums`) applied files that were edited.
std::size_t applied_position(const std::vector<AppliedRevision>& applied,
                             const ScriptDirectory& scripts,
                             const std::vector<const Revision*>& chain, bool checksums,
                             const std::string& program) {
  std::map<std::string, const AppliedRevision*> by_id;
  for (const auto& row : applied) {
    if (scripts.find(row.revision) == nullptr) {
      throw MigrationError(
          "the database has revision " + row.revision + " (" + row.message +
          ") applied, but no file in " + scripts.versions_directory().string() +
          " has that Revision ID: restore the file (e.g. from git), or record where the "
          "database really is with `" +
          program + " db stamp REV`");
    }
    by_id[row.revision] = &row;
  }
  const std::size_t position = applied.size();
  for (std::size_t i = 0; i < position; ++i) {
    if (by_id.count(chain[i]->id) == 0) {
      throw MigrationError(std::string(history_table) + " is inconsistent: revision " +
                           chain[i]->id +
                           " is not recorded but revisions after it are: record where the "
                           "database really is with `" +
                           program + " db stamp REV`");
    }
  }
  if (!checksums) return position;
  std::vector<const Revision*> edited;
  for (std::size_t i = 0; i < position; ++i) {
    if (by_id.at(chain[i]->id)->checksum != chain[i]->checksum) edited.push_back(chain[i]);
  }
  if (!edited.empty()) {
    const Revision& first = *edited.front();
    std::string more;
    if (edited.size() > 1) {
      more = " (" + std::to_string(edited.size() - 1) + " more edited:";
      for (std::size_t i = 1; i < edited.size(); ++i) more += " " + edited[i]->id;
      more += ")";
    }
    throw MigrationError(first.path.string() + " was edited after revision " + first.id +
                         " was applied (its checksum differs from " + history_table + ")" + more +
                         ": undo the edit (e.g. git checkout " + first.path.string() +
                         ") and put the change in a new revision, or keep the edited file with `" +
                         program + " db accept " + first.id + "`");
  }
  return position;
}

}  // namespace

void Migrations::init() {
  const fs::path& directory = settings_.directory;
  std::error_code error;
  if (fs::exists(directory, error)) {
    if (!fs::is_directory(directory, error)) {
      throw MigrationError(
          "'" + directory.string() +
          "' exists and is not a directory: remove it or pass another --directory");
    }
    if (!fs::is_empty(directory, error)) {
      throw MigrationError("directory " + directory.string() +
                           " already exists and is not empty: keep using it, or remove it (or "
                           "pass another --directory) to start over");
    }
  } else {
    fs::create_directories(directory, error);
    if (error) {
      throw MigrationError("cannot create directory " + directory.string() + ": " +
                           error.message());
    }
    out_ << "Creating directory " << directory.string() << " ...  done" << std::endl;
  }
  const fs::path versions = directory / "versions";
  fs::create_directory(versions, error);
  if (error) {
    throw MigrationError("cannot create directory " + versions.string() + ": " + error.message());
  }
  out_ << "Creating directory " << versions.string() << " ...  done" << std::endl;
  const fs::path readme = directory / "README";
  std::ofstream file(readme, std::ios::binary);
  const std::string commands =
      settings_.commands.empty()
          ? fmt::format("  {} db --help                     lists the commands\n",
                        settings_.program)
          : settings_.commands;
  file << fmt::format(kReadme, fmt::arg("program", settings_.program),
                      fmt::arg("commands", commands), fmt::arg("history_table", history_table));
  file.close();
  if (!file) throw MigrationError("cannot write " + readme.string() + ": check the disk space");
  out_ << "Generating " << readme.string() << " ...  done" << std::endl;
}

std::optional<fs::path> Migrations::migrate(const std::string& message,
                                            const std::vector<std::string>& renames) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  std::vector<Rename> parsed;
  for (const auto& rename : renames) parsed.push_back(parse_rename(rename));

  App& app = this->app();
  const auto applied = detail::read_history(app.db(), detail::HistorySql(), false);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_.program);
  if (position != chain.size()) {
    throw MigrationError("Target database is not up to date: it is at " + at_text(chain, position) +
                         ", the newest revision is " + chain.back()->id + "; run " +
                         hint("upgrade") + " first, then " + hint("migrate") + " again");
  }

  const SchemaDiff diff = compare(app.metadata(), reflect(app.db()), parsed,
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
  draft.upgrade_body = "-- generated by `" + settings_.program +
                       " db migrate`: check it (edit it if needed) before `" + settings_.program +
                       " db upgrade`\n\n" + diff.upgrade_sql();
  draft.downgrade_body = diff.downgrade_sql();
  const fs::path path = scripts.write(draft);
  out_ << "Generating " << path.string() << " ...  done" << std::endl;
  for (const auto& rename : diff.possible_renames) {
    // "books.descrption:description" -> "books.descrption -> books.description"
    const std::string from = rename.substr(0, rename.find(':'));
    const auto dot = from.find('.');
    const std::string to = (dot == std::string::npos ? "" : from.substr(0, dot + 1)) +
                           rename.substr(rename.find(':') + 1);
    out_ << "Possible rename " << from << " -> " << to
         << ": the new revision drops the old one's data; to keep it, delete " << path.string()
         << " and run " << hint("migrate -m \"" + message + "\" --rename " + rename) << std::endl;
  }
  return path;
}

fs::path Migrations::revision(const std::string& message) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  RevisionDraft draft = next_revision(scripts, chain, message);
  draft.upgrade_body = "-- Write the SQL that makes the change here; end each statement with ;\n";
  draft.downgrade_body = "-- Write the SQL that undoes the upgrade here.\n";
  const fs::path path = scripts.write(draft);
  out_ << "Generating " << path.string() << " ...  done" << std::endl;
  return path;
}

void Migrations::upgrade(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto step = relative_step(target);
  if (step && step->sign < 0) {
    throw MigrationError("upgrade " + target + " would go down: run " +
                         hint("downgrade " + target) + " instead");
  }
  const std::size_t wanted = step ? 0 : absolute_index(target, scripts, chain);  // checks ids

  Database& db = app().db();
  detail::MigrationLock lock(db, out_);
  const auto applied = detail::read_history(db, detail::HistorySql(), true);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_.program);
  std::size_t destination = wanted;
  if (step) {
    if (position + step->count > chain.size()) {
      throw MigrationError(
          "upgrade " + target + " goes past head: the database is at " + at_text(chain, position) +
          " and " + std::to_string(chain.size() - position) +
          " revision(s) are not applied yet; run " + hint("upgrade") + " to apply them all");
    }
    destination = position + step->count;
  } else if (destination < position) {
    throw MigrationError("revision " + target + " is older than the database's revision " +
                         at_text(chain, position) + ": to go back to it, run " +
                         hint("downgrade " + target));
  }
  for (std::size_t i = position; i < destination; ++i) {
    out_ << running_line(*chain[i], detail::Direction::upgrade) << std::endl;
    detail::run_revision(db, detail::HistorySql(), *chain[i], detail::Direction::upgrade,
                         settings_.program);
  }
}

void Migrations::downgrade(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto step = relative_step(target);
  if (step && step->sign > 0) {
    throw MigrationError("downgrade " + target + " would go up: run " + hint("upgrade " + target) +
                         " instead");
  }
  const std::size_t wanted = step ? 0 : absolute_index(target, scripts, chain);

  Database& db = app().db();
  detail::MigrationLock lock(db, out_);
  const auto applied = detail::read_history(db, detail::HistorySql(), true);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_.program);
  std::size_t destination = wanted;
  if (step) {
    if (step->count > position) {
      if (position == 0) {
        throw MigrationError(
            "nothing to downgrade: no revision is applied (the database is at "
            "base)");
      }
      throw MigrationError("downgrade " + target + " goes below base: only " +
                           std::to_string(position) + " revision(s) are applied; run " +
                           hint("downgrade base") + " to revert them all");
    }
    destination = position - step->count;
  } else if (destination > position) {
    throw MigrationError("revision " + target + " is not applied yet (the database is at " +
                         at_text(chain, position) + "): to go forward to it, run " +
                         hint("upgrade " + target));
  }
  for (std::size_t i = position; i > destination; --i) {
    out_ << running_line(*chain[i - 1], detail::Direction::downgrade) << std::endl;
    detail::run_revision(db, detail::HistorySql(), *chain[i - 1], detail::Direction::downgrade,
                         settings_.program);
  }
}

namespace {

// Splits "FROM:TO" (or "TO") and resolves both ends over the chain; relative ends count from
// FROM.
std::pair<std::size_t, std::size_t> offline_range(const std::string& range,
                                                  const std::string& default_from,
                                                  const ScriptDirectory& scripts,
                                                  const std::vector<const Revision*>& chain) {
  const auto colon = range.find(':');
  const std::string from_text = colon == std::string::npos ? default_from : range.substr(0, colon);
  const std::string to_text = colon == std::string::npos ? range : range.substr(colon + 1);
  if (relative_step(from_text)) {
    throw MigrationError("--sql " + range +
                         ": the start of the range must be head, base or a "
                         "revision id");
  }
  const std::size_t from = absolute_index(from_text, scripts, chain);
  if (const auto step = relative_step(to_text)) {
    const long to = static_cast<long>(from) + step->sign * static_cast<long>(step->count);
    if (to < 0 || to > static_cast<long>(chain.size())) {
      throw MigrationError("--sql " + range + ": " + to_text + " from " + at_text(chain, from) +
                           " goes beyond base or head");
    }
    return {from, static_cast<std::size_t>(to)};
  }
  return {from, absolute_index(to_text, scripts, chain)};
}

void print_statements(std::ostream& out, const Revision& revision,
                      const std::vector<Statement>& statements, const std::string& bookkeeping) {
  if (revision.transactional) {
    out << "BEGIN;\n\n";
  } else {
    out << "-- runs without a transaction (Transaction: no)\n\n";
  }
  for (const auto& statement : statements) out << statement.sql << ";\n\n";
  out << bookkeeping << ";\n\n";
  if (revision.transactional) out << "COMMIT;\n\n";
}

}  // namespace

void Migrations::upgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto [from, to] = offline_range(range, "base", scripts, chain);
  if (to < from) {
    throw MigrationError("upgrade --sql " + range + " goes down: use " +
                         hint("downgrade --sql " + range));
  }
  const detail::HistorySql history;
  if (from == 0) out_ << history.create() << ";\n\n";
  for (std::size_t i = from; i < to; ++i) {
    const Revision& revision = *chain[i];
    out_ << "-- " << running_line(revision, detail::Direction::upgrade) << "\n\n";
    print_statements(out_, revision, revision.upgrade,
                     history.record(revision, detail::Direction::upgrade, false));
  }
  out_.flush();
}

void Migrations::downgrade_sql(const std::string& range) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  const auto [from, to] = offline_range(range, "head", scripts, chain);
  const detail::HistorySql history;
  if (to > from) {
    throw MigrationError("downgrade --sql " + range + " goes up: use " +
                         hint("upgrade --sql " + range));
  }
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
  const auto applied = detail::read_history(app().db(), detail::HistorySql(), false);
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
  out_.flush();
  return result;
}

void Migrations::history() {
  const ScriptDirectory scripts = this->scripts();
  std::set<std::string> current;
  std::string unreachable;
  try {
    const auto applied = detail::read_history(app().db(), detail::HistorySql(), false);
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
      throw MigrationError("there is no revision yet: create one with " +
                           hint("migrate -m MESSAGE"));
    }
    revision = chain.back();
  } else if (target == "base") {
    throw MigrationError(
        "base is not a revision (it is the state before the first one): name a "
        "revision id, see " +
        hint("history"));
  } else {
    revision = &scripts.resolve(target);
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

void Migrations::stamp(const std::string& target) {
  const ScriptDirectory scripts = this->scripts();
  const auto chain = scripts.chain();
  if (relative_step(target)) {
    throw MigrationError("stamp takes head, base or a revision id, not " + target);
  }
  const std::size_t destination = absolute_index(target, scripts, chain);

  Database& db = app().db();
  detail::MigrationLock lock(db, out_);
  const detail::HistorySql history;
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
      if (wanted.count(row.revision) != 0) continue;
      Revision gone;  // only its id matters for the DELETE
      gone.id = row.revision;
      tx.exec(history.record(gone, detail::Direction::downgrade, false));
    }
    for (std::size_t i = 0; i < destination; ++i) {
      if (have.count(chain[i]->id) != 0) continue;
      tx.exec(history.record(*chain[i], detail::Direction::upgrade, false));
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
  const auto applied = detail::read_history(app.db(), detail::HistorySql(), false);
  const std::size_t position = applied_position(applied, scripts, chain, true, settings_.program);
  if (position != chain.size()) {
    throw MigrationError("Target database is not up to date: it is at " + at_text(chain, position) +
                         ", the newest revision is " + chain.back()->id + "; run " +
                         hint("upgrade"));
  }
  const SchemaDiff diff = compare(app.metadata(), reflect(app.db()), {},
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
  const Revision& revision = scripts.resolve(target);
  Database& db = app().db();
  const auto applied = detail::read_history(db, detail::HistorySql(), false);
  const auto row = std::find_if(applied.begin(), applied.end(), [&](const AppliedRevision& r) {
    return r.revision == revision.id;
  });
  if (row == applied.end()) {
    throw MigrationError("revision " + describe(revision) +
                         " is not applied to this database: nothing to accept (`" +
                         settings_.program + " db upgrade` runs the file as it is now)");
  }
  if (row->checksum == revision.checksum) {
    out_ << revision.path.string() << " is unchanged since it was applied: nothing to accept"
         << std::endl;
    return;
  }
  try {
    pqxx::nontransaction tx(db.connection());
    tx.exec(detail::HistorySql().accept(revision));
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
  out_ << "Accepted the edited " << revision.path.string() << " for revision " << revision.id
       << " (the database keeps what the old text did)" << std::endl;
}

std::vector<AppliedRevision> Migrations::applied() {
  return detail::read_history(app().db(), detail::HistorySql(), false);
}

}  // namespace orm::migrate
