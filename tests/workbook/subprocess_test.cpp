// The repository's process runner (tools/support/subprocess.hpp), label workbook.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "subprocess.hpp"

using Catch::Matchers::Contains;
using subprocess::command;

namespace {

subprocess::Result shell(const std::string& script, subprocess::Spec spec = {}) {
  spec.argv = {"/bin/sh", "-c", script};
  return subprocess::run(spec);
}

}  // namespace

TEST_CASE("run: exit code, both streams apart or merged, working folder", "[subprocess]") {
  const auto both = shell("echo out; echo err >&2; exit 3");
  CHECK(both.started);
  CHECK(both.exit_code == 3);
  CHECK(both.out == "out\n");
  CHECK(both.err == "err\n");
  CHECK_FALSE(both.ok());

  subprocess::Spec merged;
  merged.merge_output = true;
  const auto one = shell("echo a; echo b >&2; echo c", merged);
  CHECK(one.out == "a\nb\nc\n");
  CHECK(one.err.empty());

  subprocess::Spec in_tmp;
  in_tmp.directory = "/tmp";
  CHECK(shell("pwd", in_tmp).out == "/tmp\n");
  CHECK(shell("cat").out.empty());  // stdin is /dev/null: cat ends at once
}

TEST_CASE("run: environment changes set and unset variables, the rest is inherited",
          "[subprocess]") {
  ::setenv("SUBPROCESS_TEST_KEPT", "kept", 1);
  ::setenv("SUBPROCESS_TEST_GONE", "there", 1);
  subprocess::Spec spec;
  spec.env = {{"SUBPROCESS_TEST_NEW", "new"}, {"SUBPROCESS_TEST_GONE", std::nullopt}};
  const auto result = shell(
      "echo \"$SUBPROCESS_TEST_KEPT ${SUBPROCESS_TEST_GONE-unset} $SUBPROCESS_TEST_NEW\"", spec);
  CHECK(result.out == "kept unset new\n");
  // This process's own environment is untouched.
  CHECK(std::string(std::getenv("SUBPROCESS_TEST_GONE")) == "there");
}

TEST_CASE("run: a program that cannot start says why", "[subprocess]") {
  const auto missing = subprocess::run(command({"/nonexistent/program", "x"}));
  CHECK_FALSE(missing.started);
  CHECK_THAT(missing.error, Contains("/nonexistent/program"));
  CHECK_THAT(missing.error, Contains("No such file"));

  subprocess::Spec spec;
  spec.argv = {"true"};
  spec.directory = "/nonexistent/folder";
  const auto bad_folder = subprocess::run(spec);
  CHECK_FALSE(bad_folder.started);
  CHECK_THAT(bad_folder.error, Contains("/nonexistent/folder"));

  CHECK_FALSE(subprocess::run(command({})).started);
}

TEST_CASE("run: a signal is reported as such, and status() is 128 + its number", "[subprocess]") {
  const auto killed = shell("kill -SEGV $$");
  CHECK(killed.started);
  CHECK(killed.signal == 11);
  CHECK(killed.exit_code == -1);
  CHECK(killed.status() == 139);
  CHECK_THAT(subprocess::signal_name(11), Contains("signal 11"));
}

TEST_CASE("run: a timeout kills the whole process group, children too", "[subprocess]") {
  subprocess::Spec spec;
  spec.timeout_seconds = 1;
  const auto start = std::chrono::steady_clock::now();
  // The child forks a grandchild that would keep the pipe open for a minute.
  const auto result = shell("sleep 60 & sleep 60; echo never", spec);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  CHECK(result.timed_out);
  CHECK(result.signal == 9);
  CHECK(result.out.empty());
  CHECK(took.count() < 30);  // not the minute the children would take
}

TEST_CASE("run: what a program leaves running in its group is stopped when it exits",
          "[subprocess]") {
  const std::string marker = "/tmp/subprocess_test_left_behind_" + std::to_string(::getpid());
  std::remove(marker.c_str());
  const auto start = std::chrono::steady_clock::now();
  const auto result = shell("(sleep 3; touch " + marker + ") & echo started");
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  CHECK(result.out == "started\n");
  CHECK(took.count() < 3);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  CHECK(::access(marker.c_str(), F_OK) != 0);  // the background job never ran to its end
}

TEST_CASE("run: output_limit keeps the first bytes and drains the rest", "[subprocess]") {
  subprocess::Spec spec;
  spec.output_limit = 1000;
  // 10 MB on each stream: far more than a pipe holds, so the program blocks unless it is read.
  const auto result = shell("head -c 10000000 /dev/zero; head -c 10000000 /dev/zero >&2", spec);
  CHECK(result.exit_code == 0);
  CHECK(result.truncated);
  CHECK(result.out.size() == 1000);
  CHECK(result.err.size() == 1000);
  CHECK_FALSE(shell("echo short", spec).truncated);
}

TEST_CASE("run: cancel stops the program", "[subprocess]") {
  std::atomic<bool> cancel{false};
  subprocess::Spec spec;
  spec.cancel = &cancel;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  const auto result = shell("sleep 60", spec);
  stopper.join();
  CHECK(result.cancelled);
  CHECK(result.signal == 15);
}

TEST_CASE("pipes are close-on-exec: programs started at the same time end independently",
          "[subprocess]") {
  // A quick program started while a slow one runs must not inherit the slow one's pipe ends
  // (and the other way round): each run ends when its own program does.
  subprocess::Process slow =
      subprocess::Process::start(command({"/bin/sh", "-c", "sleep 2; echo slow"}));
  std::vector<std::thread> threads;
  std::vector<double> seconds(4);
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto result = subprocess::run(command({"/bin/sh", "-c", "echo quick"}));
      seconds[i] = result.seconds;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const double s : seconds) CHECK(s < 1.5);
  // No pipe of the slow program (its stdout's pipe, seen from the other end) is open in another
  // child.
  char target[256] = {};
  const std::string slow_stdout = "/proc/" + std::to_string(slow.pid()) + "/fd/1";
  REQUIRE(::readlink(slow_stdout.c_str(), target, sizeof target - 1) > 0);
  const auto fds = subprocess::run(
      command({"/bin/sh", "-c", "for fd in /proc/$$/fd/*; do readlink \"$fd\"; done"}));
  CHECK_THAT(fds.out, Contains("pipe:"));  // its own stdout
  CHECK_THAT(fds.out, !Contains(target));
  CHECK(slow.wait().out == "slow\n");
}

TEST_CASE("shell_join quotes what a shell would split", "[subprocess]") {
  CHECK(subprocess::shell_join({"git", "commit", "-m", "it's done"}) ==
        "git commit -m 'it'\\''s done'");
  CHECK(subprocess::shell_join({"a b", ""}) == "'a b' ''");
}
