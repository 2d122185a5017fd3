// Grading untrusted code as root: each submission runs as an unprivileged user of its own, with
// a PostgreSQL role and database of its own, limits on time, output, files and processes, and
// nothing of it left running afterwards. What this does and does not protect: README.md, "For
// instructors".
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"

namespace workbook {

/// Limits on each program a submission runs (its build and its checks).
struct SandboxLimits {
  double build_timeout_seconds = 1800;  ///< wall time of a configure or build step (a program
                                        ///< with a time of its own keeps it: the checks')
  double cpu_seconds = 600;  ///< CPU time of each process (RLIMIT_CPU), at most its time limit
  std::size_t output_limit = 1 << 20;     ///< bytes kept of each output stream of each program
  std::size_t file_limit = 1ULL << 30;    ///< largest file it may write (RLIMIT_FSIZE)
  std::size_t memory_limit = 4ULL << 30;  ///< address space of each process (RLIMIT_AS)
  unsigned build_jobs = 0;   ///< compile steps at once in its build (0: Ninja's default)
  unsigned processes = 512;  ///< processes of its user at once (RLIMIT_NPROC)
};

/// Forwards connections from a unix socket that only one submission's user can reach to the
/// database server's own socket, admitting only its own role: the server's socket folder stays
/// owner-only, and a submission can never log in as the superuser (the server sees the grader,
/// root, as the peer, so the relay itself refuses every other user name).
class DatabaseRelay {
 public:
  /// Listens on `listen_dir`/.s.PGSQL.`port`, forwarding to `server_dir`/.s.PGSQL.`port`.
  /// Throws std::runtime_error when it cannot listen.
  DatabaseRelay(const std::string& listen_dir, int port, const std::string& server_dir,
                std::string role);
  ~DatabaseRelay();
  DatabaseRelay(const DatabaseRelay&) = delete;
  DatabaseRelay& operator=(const DatabaseRelay&) = delete;

 private:
  void accept_loop();
  void forward(int client);

  std::string server_socket_;
  std::string role_;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

/// One submission's confinement, while it is graded as root. Everything it makes is removed (or
/// stopped) by stop() and by the destructor: its processes, its role and its databases.
///
/// @code
/// workbook::Sandbox sandbox("alice", "/srv/grades/work/alice", limits);
/// workbook::ProcessSpec spec{{"cmake", "--build", sandbox.build_dir()}};
/// sandbox.confine(spec);  // runs as alice's grading user, with alice's DATABASE_URL
/// @endcode
class Sandbox {
 public:
  /// True when the grader runs as root (and so confines submissions).
  static bool wanted();
  /// The PostgreSQL role of the submission graded under `key` ("workbook_grade_<hash of key>").
  static std::string role_for(const std::string& key);

  /// Makes (or reuses) the submission's user `wbgrade-<hash of key>`, its folders under
  /// `work_dir` and its role and database, after stopping whatever an earlier grade of it left.
  /// Throws std::runtime_error with the reason.
  Sandbox(const std::string& key, const std::string& work_dir, SandboxLimits limits);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  /// Makes `spec` run as the submission's user, in a clean environment (PATH, HOME and TMPDIR in
  /// its own folder, DATABASE_URL and TEST_DATABASE_URL for its own role), under the limits;
  /// `spec.timeout_seconds` is kept when set, else it gets the build time limit.
  void confine(ProcessSpec& spec) const;
  /// Copies the student's lesson folders into lessons_dir(), readable by the submission's user
  /// only; files whose content did not change are left alone (so they are not rebuilt).
  void stage_lessons(const std::string& from) const;
  /// Reads a file the submission wrote (its check results), refusing links, files it does not
  /// own, and more than `limit` bytes. Throws std::runtime_error.
  std::string read_written(const std::string& path, std::size_t limit) const;
  /// Kills every process of the submission's user (repeatedly, so that forks cannot escape) and
  /// returns how many are left (0 unless the system refused).
  std::size_t stop_processes() const;

  const std::string& user() const { return user_; }
  uid_t uid() const { return uid_; }
  std::string lessons_dir() const { return work_ + "/lessons"; }
  std::string build_dir() const { return work_ + "/build"; }
  std::string state_dir() const { return work_ + "/state"; }
  std::string results_dir() const { return work_ + "/results"; }
  const std::string& role() const { return role_; }
  /// Compiles through ccache, reading (never writing) the cache in `cache_dir` that
  /// warm_compiler_cache() filled from the instructor's own sources.
  void use_compiler_cache(const std::string& cache_dir) { compiler_cache_ = cache_dir; }
  bool uses_compiler_cache() const { return !compiler_cache_.empty(); }
  const SandboxLimits& limits() const { return limits_; }

 private:
  void make_user();
  void make_folders();
  void make_role();
  void drop_role() noexcept;

  std::string work_;
  std::string user_;
  std::string role_;
  std::string password_;
  std::string url_;  // the submission's DATABASE_URL (never printed)
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  SandboxLimits limits_;
  std::unique_ptr<DatabaseRelay> relay_;
  std::string compiler_cache_;
};

/// The environment ccache needs so that the same source compiled in two build trees is one cache
/// entry: paths inside the build tree `base_dir` relative (the precompiled headers), the others
/// absolute (the library's sources), the working directory not hashed.
std::vector<subprocess::EnvChange> compiler_cache_env(const std::string& cache_dir,
                                                      const std::string& base_dir, bool read_only);

/// Every process whose user is `uid` (from /proc).
std::vector<pid_t> processes_of(uid_t uid);

}  // namespace workbook
