// `db check --roundtrip`: every revision up, down and up again on a scratch database, comparing
// the schema with the models and each downgrade with what its upgrade started from.
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>

#include "../translate.hpp"
#include "history.hpp"
#include "orm/migrate.hpp"
#include "orm/server.hpp"
#include "run.hpp"

namespace orm::migrate {
namespace {

// One line per schema object, in a form that changes when the object does: relations, columns
// (type, NOT NULL, default, identity), constraints, indexes, triggers, types, functions,
// schemas and extensions. The history table (`$1`, schema-qualified) is left out.
constexpr const char* kSnapshotSql = R"SQL(
WITH rel AS (
  SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND c.oid IS DISTINCT FROM pg_catalog.to_regclass($1)
)
SELECT format('%s %s', CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table'
         WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
         WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' ELSE 'relation' END, name)
  FROM rel WHERE relkind NOT IN ('i', 'I')
UNION ALL
SELECT format('column %s.%I %s%s%s%s', rel.name, a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
              coalesce(' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''),
              CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY'
                ELSE '' END)
  FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND rel.relkind NOT IN ('i', 'I')
UNION ALL
SELECT format('constraint %I on %s: %s', co.conname, rel.name,
              pg_catalog.pg_get_constraintdef(co.oid))
  FROM rel JOIN pg_catalog.pg_constraint co ON co.conrelid = rel.oid
UNION ALL
SELECT format('index %s', pg_catalog.pg_get_indexdef(i.indexrelid))
  FROM rel JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid
UNION ALL
SELECT format('trigger %s', pg_catalog.pg_get_triggerdef(t.oid))
  FROM rel JOIN pg_catalog.pg_trigger t ON t.tgrelid = rel.oid WHERE NOT t.tgisinternal
UNION ALL
SELECT format('type %I.%I %s', n.nspname, t.typname,
              CASE t.typtype WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel),
                  ', ' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'
                WHEN 'd' THEN 'domain over ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)
                ELSE t.typtype::text END)
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd', 'r', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
UNION ALL
SELECT format('function %s', p.oid::pg_catalog.regprocedure)
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend dep
                    WHERE dep.objid = p.oid AND dep.deptype = 'e')
UNION ALL
SELECT format('schema %I', nspname) FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\_%'
UNION ALL
SELECT format('extension %I', extname) FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql'
)SQL";

using Snapshot = std::set<std::string>;

Snapshot snapshot(Database& db, const detail::HistorySql& history) {
  try {
    pqxx::nontransaction tx(db.connection());
    Snapshot lines;
    for (const auto& row : tx.exec_params(kSnapshotSql, history.table())) {
      lines.insert(row[0].as<std::string>());
    }
    return lines;
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

// "a; b; c (and 2 more)": the first few lines of a difference, without the columns of a table
// that is listed itself.
std::string some(const std::vector<std::string>& all) {
  std::vector<std::string> lines;
  for (const auto& line : all) {
    const bool column_of_listed_table = std::any_of(all.begin(), all.end(), [&](const auto& t) {
      return t.rfind("table ", 0) == 0 && line.rfind("column " + t.substr(6) + ".", 0) == 0;
    });
    if (!column_of_listed_table) lines.push_back(line);
  }
  constexpr std::size_t kShown = 3;
  const std::size_t shown = std::min(lines.size(), kShown);
  std::string text =
      fmt::format("{}", fmt::join(lines.begin(), lines.begin() + static_cast<long>(shown), "; "));
  if (lines.size() > shown) text += fmt::format(" (and {} more)", lines.size() - shown);
  return text;
}

// The scratch database of one round trip: `<database>_roundtrip_<pid>`, made from template0 in
// the checked database's tablespace when that is not the default one and the role may create
// there (a database kept on tmpfs gets a scratch database on tmpfs), and dropped (WITH FORCE)
// when the round trip ends, whatever way it ends.
class ScratchDatabase {
 public:
  ScratchDatabase(const DatabaseUrl& url, std::ostream& out) : server_(url), out_(out) {
    const std::string suffix = fmt::format("_roundtrip_{}", ::getpid());
    name_ = url.database().substr(0, 63 - suffix.size()) + suffix;
    try {
      server_.drop_database(name_, true);  // left by a killed run with the same pid
      server_.create_database(name_, "template0", server_.creatable_tablespace_of(url.database()));
    } catch (const Error& e) {
      throw MigrationError(fmt::format(
          "cannot create the scratch database {} for the round trip ({}): the role of the "
          "database URL needs CREATEDB",
          name_, e.what()));
    }
    db_.emplace(url.with_database(name_));
  }
  ~ScratchDatabase() {
    db_.reset();  // disconnects
    try {
      server_.drop_database(name_, true);
    } catch (const std::exception& e) {
      out_ << fmt::format(
                  "could not drop the scratch database {} ({}): drop it with DROP "
                  "DATABASE {} WITH (FORCE);",
                  name_, e.what(), name_)
           << std::endl;
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const noexcept { return name_; }
  Database& db() { return *db_; }

 private:
  Server server_;
  std::ostream& out_;
  std::string name_;
  std::optional<Database> db_;
};

}  // namespace

bool Migrations::roundtrip() {
  const ScriptDirectory scripts = this->scripts();
  if (say_if_no_revisions(scripts)) return true;
  const std::vector<const Revision*> order = scripts.lineage({scripts.head()});
  App& app = this->app();
  const detail::HistorySql history(settings_);
  const detail::RunContext context{history, settings_.program,
                                   fmt::format("{} db check --roundtrip", settings_.program)};

  ScratchDatabase scratch(app.database_url(), out_);
  Database& db = scratch.db();
  out_ << fmt::format(
              "Round trip of {} revision(s) on the scratch database {}: upgrade base -> head, "
              "downgrade to base, upgrade again",
              order.size(), scratch.name())
       << std::endl;
  std::vector<std::string> problems;
  const auto problem = [&](const std::string& line) {
    problems.push_back(line);
    out_ << line << std::endl;
  };
  // Runs one revision; a failure is a problem that ends the round trip.
  const auto step = [&](const Revision& revision, detail::Direction direction, const char* when) {
    try {
      detail::run_revision(db, context, revision, direction);
      return true;
    } catch (const Error& e) {
      problem(fmt::format("{} {} of {} failed: {}", when,
                          direction == detail::Direction::upgrade ? "upgrade" : "downgrade",
                          describe(revision), e.what()));
      return false;
    }
  };
  const auto compare_models = [&](const char* when) {
    const SchemaDiff diff = compare(app.metadata(), reflect(db, reflect_skip()), {},
                                    server_default_comparator(db), settings_.program);
    for (const auto& change : diff.changes) {
      problem(fmt::format(
          "after the {} upgrade to head the schema differs from the models: {} (write a "
          "revision for it: {})",
          when, change.description, hint("migrate -m MESSAGE")));
    }
  };
  const auto finish = [&] {
    out_ << (problems.empty()
                 ? std::string("Round trip OK: every downgrade undoes the schema changes of its "
                               "upgrade, and head matches the models (on empty tables: what a "
                               "revision does to rows is not tested).")
                 : fmt::format("Round trip found {} problem(s).", problems.size()))
         << std::endl;
    return problems.empty();
  };

  detail::read_history(db, history, true);
  // states[i]: the schema before order[i]'s upgrade; states.back(): at head.
  std::vector<Snapshot> states{snapshot(db, history)};
  for (const Revision* revision : order) {
    if (!step(*revision, detail::Direction::upgrade, "first")) return finish();
    states.push_back(snapshot(db, history));
  }
  compare_models("first");
  // Each downgrade must take away what its upgrade added, bring back what it removed, and touch
  // nothing else; measured from where the downgrade starts, so one revision's leftover is not
  // blamed on the revisions below it.
  Snapshot now = states.back();
  for (std::size_t i = order.size(); i-- > 0;) {
    if (!step(*order[i], detail::Direction::downgrade, "the")) return finish();
    Snapshot expected;
    std::set_difference(now.begin(), now.end(), states[i + 1].begin(), states[i + 1].end(),
                        std::inserter(expected, expected.end()));  // minus what the upgrade made
    std::set_difference(states[i].begin(), states[i].end(), states[i + 1].begin(),
                        states[i + 1].end(), std::inserter(expected, expected.end()));
    for (const auto& line : now) {
      // kept from before the upgrade (neither added nor removed by it)
      if (states[i].count(line) != 0 && states[i + 1].count(line) != 0) expected.insert(line);
    }
    now = snapshot(db, history);
    std::vector<std::string> left, missing;
    std::set_difference(now.begin(), now.end(), expected.begin(), expected.end(),
                        std::back_inserter(left));
    std::set_difference(expected.begin(), expected.end(), now.begin(), now.end(),
                        std::back_inserter(missing));
    if (left.empty() && missing.empty()) continue;
    std::vector<std::string> what;
    if (!left.empty()) what.push_back("leaves " + some(left));
    if (!missing.empty()) what.push_back("does not bring back " + some(missing));
    problem(
        fmt::format("{}: its downgrade does not undo its upgrade: it {} (fix the downgrade "
                    "section of {})",
                    describe(*order[i]), fmt::join(what, ", and "), order[i]->path.string()));
  }
  for (const Revision* revision : order) {
    if (!step(*revision, detail::Direction::upgrade, "second")) return finish();
  }
  compare_models("second");
  return finish();
}

}  // namespace orm::migrate
