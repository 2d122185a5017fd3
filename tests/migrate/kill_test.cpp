// Commands killed mid-revision, and commands that run at the same time (issue 11), as processes:
// a `db upgrade` or `db downgrade` killed (SIGKILL, SIGINT) while its last statement runs on the
// server, then a new command at once; two `db migrate` at once; a command waiting for the
// folder lock.
#include <catch2/catch.hpp>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "process.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::StartsWith;
using migrate_testing::Environment;
using migrate_testing::finish;
using migrate_testing::fresh_project;
using migrate_testing::ProcessResult;
using migrate_testing::run_app;
using migrate_testing::start_app;

namespace {

std::string scalar(orm::Database& db, const std::string& sql) {
  pqxx::nontransaction tx(db.connection());
  const pqxx::result result = tx.exec(sql);
  return result.empty() || result[0][0].is_null() ? "NULL" : result[0][0].as<std::string>();
}

// Waits (at most 60 s, a busy machine is slow) until `done` is true.
template <class F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Every line of `out` is one a waiting command may print.
void check_only_waiting_or(const std::string& out, const std::string& allowed_prefix) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    const bool waiting = line.rfind("Waiting for the migration lock on ", 0) == 0;
    CHECK((waiting || (!allowed_prefix.empty() && line.rfind(allowed_prefix, 0) == 0)));
  }
}

}  // namespace

TEST_CASE("a command killed during its last statement never leaves the next one stale history",
          "[kill][concurrency][issue11]") {
  const std::string project = fresh_project();
  const orm::DatabaseUrl url = testing_support::scratch_database("killed");
  orm::Database db(url);
  const Environment fast{{"DATABASE_URL", url.uri_with_password()}};
  // The last statement of r3 sleeps for the killed command only: its URL sets the pause.
  const std::string slow_url =
      url.uri_with_password() +
      (url.uri_with_password().find('?') == std::string::npos ? "?" : "&") +
      "options=-c%20migrate_test.pause%3D0.4";
  const Environment slow{{"DATABASE_URL", slow_url}};
  REQUIRE(run_app({"db", "init"}, project, fast).status == 0);

  const auto scripts = orm::migrate::ScriptDirectory::load(fs::path(project) / "migrations");
  const std::string pause =
      "SELECT /* kill point */ pg_sleep(coalesce(current_setting('migrate_test.pause', true), "
      "'0')::float8);\n";
  const std::vector<std::string> ids{"c00000000001", "c00000000002", "c00000000003"};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    orm::migrate::RevisionDraft draft;
    draft.id = ids[i];
    if (i != 0) draft.down_revisions = {ids[i - 1]};
    draft.message = "step " + std::to_string(i + 1);
    draft.create_date = orm::migrate::create_date_now();
    draft.upgrade_body = i == 0 ? "CREATE TABLE ledger (n integer PRIMARY KEY);\n"
                                : "INSERT INTO ledger VALUES (" + std::to_string(i + 1) + ");\n" +
                                      (i == 2 ? pause : "");
    draft.downgrade_body = i == 0 ? "DROP TABLE ledger;\n"
                                  : "DELETE FROM ledger WHERE n = " + std::to_string(i + 1) +
                                        ";\n" + (i == 2 ? pause : "");
    scripts.write(draft);
  }
  REQUIRE(run_app({"db", "upgrade", ids[1]}, project, fast).status == 0);

  // The history is a prefix of the chain (no gap) and matches the ledger's rows.
  const auto consistent = [&](std::size_t applied) {
    CHECK(scalar(db,
                 "SELECT string_agg(revision, ',' ORDER BY revision) FROM "
                 "public.migration_history") ==
          (applied == 2 ? ids[0] + "," + ids[1] : ids[0] + "," + ids[1] + "," + ids[2]));
    CHECK(scalar(db, "SELECT string_agg(n::text, ',' ORDER BY n) FROM ledger") ==
          (applied == 2 ? "2" : "2,3"));
  };
  // Starts `command` on the slow URL and kills it with `signal` once the server runs its last
  // statement.
  const auto kill_during_last_statement = [&](const std::string& command, int signal) {
    const auto running = start_app({"db", command}, project, slow);
    std::string seen;
    const bool reached = eventually([&] {
      const std::string now = scalar(db,
                                     "SELECT string_agg(pid || ':' || state || ':' || "
                                     "left(query, 40), ' | ') FROM pg_stat_activity WHERE "
                                     "pid <> pg_backend_pid() AND backend_type = 'client "
                                     "backend'");
      if (now.find("BEGIN") != std::string::npos) seen += now + "\n";
      return scalar(db,
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query "
                    "LIKE '%kill point%' AND pid <> pg_backend_pid()") == "1";
    });
    if (!reached) {
      const ProcessResult result = finish(running);
      FAIL("the command never reached its last statement: " << result.status << result.out
                                                            << result.err << seen);
    }
    ::kill(running.pid, signal);
    return running;
  };

  constexpr int kTrials = 20;
  int upgrades_committed = 0, downgrades_committed = 0;
  for (int signal : {SIGKILL, SIGINT}) {
    for (int trial = 1; trial <= kTrials; ++trial) {
      INFO("signal " << signal << ", trial " << trial);
      // upgrade r2 -> r3, killed in r3's last statement; a new upgrade at once.
      auto killed = kill_during_last_statement("upgrade", signal);
      ProcessResult next = run_app({"db", "upgrade"}, project, fast);
      CHECK(finish(killed).status == 128 + signal);
      CHECK(next.status == 0);
      CHECK(next.err == "");
      // The killed command's server work finished first, so there is nothing left to do
      // (the old engine ran r3 a second time here and failed with "fix the SQL").
      check_only_waiting_or(next.out, "");
      upgrades_committed += next.out.find("Running upgrade") == std::string::npos;
      consistent(3);

      // downgrade r3 -> r2, killed in r3's last statement; a new downgrade at once reverts r2?
      // No: it must see r3 already reverted and revert r2 (the old engine reverted r3 again).
      killed = kill_during_last_statement("downgrade", signal);
      next = run_app({"db", "downgrade"}, project, fast);
      CHECK(finish(killed).status == 128 + signal);
      CHECK(next.status == 0);
      CHECK(next.err == "");
      check_only_waiting_or(next.out, "Running downgrade " + ids[1] + " -> " + ids[0]);
      downgrades_committed += next.out.find("Running downgrade " + ids[1]) != std::string::npos;
      CHECK(scalar(db,
                   "SELECT string_agg(revision, ',' ORDER BY revision) FROM "
                   "public.migration_history") == ids[0]);
      CHECK(scalar(db, "SELECT count(*) FROM ledger") == "0");
      REQUIRE(run_app({"db", "upgrade", ids[1]}, project, fast).status == 0);
      consistent(2);
    }
  }
  // Every killed command had its revision committed by the server: the kill came during the
  // last statement, after which the history row and COMMIT were already sent.
  CHECK(upgrades_committed == 2 * kTrials);
  CHECK(downgrades_committed == 2 * kTrials);
}

TEST_CASE("db revision waits for the folder lock and says so", "[lock][concurrency][issue11]") {
  const std::string project = fresh_project();
  REQUIRE(run_app({"db", "init"}, project).status == 0);
  const std::string versions = project + "/migrations/versions";
  const int fd = ::open(versions.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  const auto running = start_app({"db", "revision", "-m", "waits"}, project);
  const bool waiting = eventually([&] {
    return running.process->output_so_far().find("Waiting for another command") !=
           std::string::npos;
  });
  CHECK(waiting);
  CHECK(fs::is_empty(versions));  // nothing written while the lock is held
  ::close(fd);
  const ProcessResult result = finish(running);
  CHECK(result.status == 0);
  CHECK(result.err == "");
  CHECK(result.out ==
        "Waiting for another command that writes revisions in migrations/versions "
        "(db migrate, db revision or db merge) to finish ...\nGenerating " +
            std::string("migrations/versions/") +
            fs::directory_iterator(versions)->path().filename().string() + " ...  done\n");
}

TEST_CASE("two db migrate at once write one revision, never two heads",
          "[lock][concurrency][issue11]") {
  for (int trial = 1; trial <= 5; ++trial) {
    INFO("trial " << trial);
    const std::string project = fresh_project();
    const orm::DatabaseUrl url = testing_support::scratch_database("two_migrate");
    const Environment env{{"DATABASE_URL", url.uri_with_password()},
                          {"MIGRATE_APP_MODELS", "book"}};
    REQUIRE(run_app({"db", "init"}, project, env).status == 0);
    const auto first = start_app({"db", "migrate", "-m", "first"}, project, env);
    const auto second = start_app({"db", "migrate", "-m", "second"}, project, env);
    const ProcessResult a = finish(first);
    const ProcessResult b = finish(second);
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(project + "/migrations/versions")) {
      files += entry.path().extension() == ".sql";
    }
    CHECK(files == 1);
    // One wrote the revision; the other waited, then found the database behind the new head.
    const ProcessResult& failed = a.status == 0 ? b : a;
    CHECK(a.status + b.status == 1);
    CHECK_THAT(failed.err, StartsWith("error: Target database is not up to date: it is at base"));
  }
}

TEST_CASE("the db command line hands each command its own target and --lock-timeout",
          "[cli][targets][issue11]") {
  const std::string project = fresh_project();
  const orm::DatabaseUrl url = testing_support::scratch_database("targets");
  const Environment env{{"DATABASE_URL", url.uri_with_password()}};
  REQUIRE(run_app({"db", "init"}, project, env).status == 0);
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) {
    const ProcessResult made = run_app({"db", "revision", "-m", "step"}, project, env);
    REQUIRE(made.status == 0);
    ids.push_back(made.out.substr(made.out.find("versions/") + 9, 12));
  }
  ProcessResult result = run_app({"db", "upgrade", "+1"}, project, env);
  CHECK(result.out == "Running upgrade  -> " + ids[0] + ", step\n");
  result = run_app({"db", "upgrade", ids[1].substr(0, 8)}, project, env);
  CHECK(result.out == "Running upgrade " + ids[0] + " -> " + ids[1] + ", step\n");
  result = run_app({"db", "downgrade", "base"}, project, env);
  CHECK(result.out == "Running downgrade " + ids[1] + " -> " + ids[0] +
                          ", step\nRunning downgrade " + ids[0] + " -> , step\n");
  result = run_app({"db", "stamp", ids[0]}, project, env);
  CHECK(result.out == "Running stamp_revision  -> " + ids[0] + "\n");

  result = run_app({"db", "upgrade", ""}, project, env);
  CHECK(result.status == 1);
  CHECK_THAT(result.err, StartsWith("error: upgrade '': the target is empty"));
  result = run_app({"db", "downgrade", "--lock-timeout", "2", "+1"}, project, env);
  CHECK(result.err == "error: downgrade +1 would go up: run `migrate_app db upgrade +1` instead\n");
  result = run_app({"db", "upgrade", "--lock-timeout", "-1"}, project, env);
  CHECK(result.status == 2);
  CHECK_THAT(result.err, StartsWith("error: --lock-timeout: Value -1 not in range 0"));
  result = run_app({"db", "upgrade", "--lock-timeout", "5"}, project, env);
  CHECK(result.status == 0);
  CHECK(result.out == "Running upgrade " + ids[0] + " -> " + ids[1] + ", step\nRunning upgrade " +
                          ids[1] + " -> " + ids[2] + ", step\n");
}
