// The workbook's private PostgreSQL admits only the checkout's owner (label workbook; README,
// "The database").
//
// As root, the test creates a throwaway OS user (removed at the end) and tries, as that user,
// every route to a running cluster: TCP to 127.0.0.1, ::1 and localhost on the cluster's port and
// on PostgreSQL's default 5432; the unix socket, raw and through psql with every URL form, with
// and without the classic password; reading the cluster's files. Every attempt must fail for the
// expected reason, and the same attempts by the owner (root) must work where they should, so the
// test cannot pass because of a typo. It runs on a cluster of its own (`./workbook db start` with
// WORKBOOK_PGDIR in /tmp/hello_books_access_<pid>) and, when the suite runs on the workbook's
// cluster, on that one too. It also checks the folder and socket modes, pg_hba.conf and
// pg_ident.conf, `db url` and `db psql DBNAME`, the TCP option, a lesson program run by hand, and
// the upgrade of a cluster made by an older workbook (TCP, password).
#define CATCH_CONFIG_EXTERNAL_INTERFACES  // the listener that stops the test's clusters
#include <catch2/catch.hpp>
#include <pqxx/nontransaction>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lesson_check.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using lesson_check::EnvChange;
using lesson_check::ProgramRun;
using lesson_check::run_program;

namespace {

const std::string kPsql = "/usr/lib/postgresql/15/bin/psql";
const std::string kPgBin = "/usr/lib/postgresql/15/bin/";
const std::string kWorkbook = PROJECT_DIR "/workbook";
// What an older workbook's cluster admitted anyone with, on 127.0.0.1.
const std::string kClassicPassword = "postgres";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines of a configuration file that are not blank or comments, spaces collapsed.
std::vector<std::string> settings_of(const fs::path& path) {
  std::vector<std::string> lines;
  for (const auto& line : lesson_check::lines_of(read_file(path))) {
    std::istringstream words(line);
    std::string word, joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    if (!joined.empty() && joined.front() != '#') lines.push_back(joined);
  }
  return lines;
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  REQUIRE(fd >= 0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

void require_root() {
  if (::geteuid() != 0) {
    FAIL(
        "this test needs root: it creates a second, unprivileged OS user and tries to reach the "
        "cluster as that user. Run ./workbook test as root (CI does).");
  }
}

// ---------------------------------------------------------------------------------------------
// The second OS user.

// A throwaway system user (no home, no login shell), removed again at the end of the run.
class OtherUser {
 public:
  OtherUser() : name_("hbprobe" + std::to_string(::getpid())) {
    remove_stale();
    run_or_fail("/usr/sbin/useradd", {"--system", "--no-create-home", "--home-dir", "/nonexistent",
                                      "--shell", "/usr/sbin/nologin", "--user-group", name_});
    const passwd* entry = ::getpwnam(name_.c_str());
    REQUIRE(entry != nullptr);
    uid_ = entry->pw_uid;
    gid_ = entry->pw_gid;
  }
  ~OtherUser() { run_program("/usr/sbin/userdel", {name_}); }
  OtherUser(const OtherUser&) = delete;
  OtherUser& operator=(const OtherUser&) = delete;

  const std::string& name() const { return name_; }

  // Runs `argv` as this user in a clean environment (plus `env`), from /.
  ProgramRun run(const std::vector<std::string>& argv, const std::vector<std::string>& env) const {
    std::vector<std::string> args{
        "-u", name_, "--", "env", "-i", "PATH=/usr/bin:/bin", "HOME=/nonexistent"};
    args.insert(args.end(), env.begin(), env.end());
    args.insert(args.end(), argv.begin(), argv.end());
    return run_program("/usr/sbin/runuser", args, {}, "/", 60);
  }

  // errno of `attempt` run in a child process as this user (0: it succeeded).
  template <typename Attempt>
  int errno_of(Attempt attempt) const {
    const pid_t child = ::fork();
    if (child == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) _exit(255);
      _exit(attempt());
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) != 255);
    return WEXITSTATUS(status);
  }

 private:
  static void run_or_fail(const std::string& program, const std::vector<std::string>& args) {
    const ProgramRun run = run_program(program, args);
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
  }
  // Users left by runs that were killed before they could remove theirs.
  static void remove_stale() {
    std::vector<std::string> stale;
    ::setpwent();
    while (const passwd* entry = ::getpwent()) {
      const std::string name = entry->pw_name;
      if (name.rfind("hbprobe", 0) != 0) continue;
      const std::string digits = name.substr(7);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      if (::kill(static_cast<pid_t>(std::stol(digits)), 0) != 0 && errno == ESRCH) {
        stale.push_back(name);
      }
    }
    ::endpwent();
    for (const auto& name : stale) run_program("/usr/sbin/userdel", {name});
  }

  std::string name_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

// errno of connect() to a unix socket at `path` (0: connected).
int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  const int result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  const int error = result == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

// errno of connect() to TCP `port` on the loopback address of `family` (0: connected).
int connect_tcp(int family, int port) {
  const int fd = ::socket(family, SOCK_STREAM, 0);
  int result;
  if (family == AF_INET) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  } else {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    address.sin6_port = htons(static_cast<uint16_t>(port));
    result = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  const int error = result == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

// errno of open() for reading (0: it could be read).
int open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Clusters run by ./workbook.

// `./workbook ARGS` for the cluster in `pg_dir` on `port`, never DATABASE_URL's server.
ProgramRun workbook(const std::string& pg_dir, int port, const std::vector<std::string>& args,
                    std::vector<EnvChange> env = {}) {
  env.insert(env.begin(), {{"DATABASE_URL", std::nullopt},
                           {"TEST_DATABASE_URL", std::nullopt},
                           {"WORKBOOK_PGTCP", std::nullopt},
                           {"WORKBOOK_PGDIR", pg_dir},
                           {"WORKBOOK_PGPORT", std::to_string(port)},
                           {"WORKBOOK_BUILD_DIR", BUILD_DIR},
                           {"NO_COLOR", "1"}});
  return run_program(kWorkbook, args, env, "", 120);
}

// A cluster that ./workbook runs, and where it is.
struct Cluster {
  std::string pg_dir;  // WORKBOOK_PGDIR
  int port = 0;

  std::string socket_dir() const { return pg_dir + "/sock"; }
  std::string socket() const { return socket_dir() + "/.s.PGSQL." + std::to_string(port); }
  std::string data(const std::string& file) const { return pg_dir + "/data/" + file; }

  ProgramRun workbook(const std::vector<std::string>& args, std::vector<EnvChange> env = {}) const {
    return ::workbook(pg_dir, port, args, std::move(env));
  }
  // psql as the owner, through `./workbook db psql`; stdout without the final newline.
  std::string psql(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"db", "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"};
    all.insert(all.end(), args.begin(), args.end());
    const ProgramRun run = workbook(all);
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    std::string out = run.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  // True when the running server listens on TCP (postmaster.pid, line 6: its address).
  bool tcp_open() const {
    const auto lines = lesson_check::lines_of(read_file(data("postmaster.pid")));
    return lines.size() > 5 && !lines[5].empty();
  }
};

// The folder on tmpfs where `./workbook db start` keeps the tablespace workbook_scratch of the
// cluster in `pg_dir` (the workbook's scratch_dir: the server user and a checksum of the data
// directory's path).
std::string scratch_folder(const std::string& pg_dir) {
  const ProgramRun sum =
      run_program("/bin/sh", {"-c", "printf '%s' \"$1\" | cksum", "sh", pg_dir + "/data"}, {}, "/");
  REQUIRE(sum.exit_code == 0);
  return "/dev/shm/hello_books-postgres-" + sum.out.substr(0, sum.out.find(' '));
}

// Stops the server of the data directory `data` at once, as a kill would: no `./workbook db stop`.
void kill_server(const fs::path& data) {
  run_program("/usr/sbin/runuser",
              {"-u", "postgres", "--", kPgBin + "pg_ctl", "-D", data.string(), "-m", "immediate",
               "-w", "stop"},
              {}, "/");
}

// Stops the clusters in `dir` (a folder of this test) and removes it, with their scratch folders.
void remove_test_folder(const fs::path& dir) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    if (fs::exists(entry.path() / "data/postmaster.pid")) kill_server(entry.path() / "data");
    if (fs::exists(entry.path() / "data/PG_VERSION")) {
      fs::remove_all(scratch_folder(entry.path().string()), ignored);
    }
  }
  fs::remove_all(dir, ignored);
}

// This run's folder for its clusters, /tmp/hello_books_access_<pid>: its own, not the harness's
// scratch folder, so that the clusters stop before it goes. Those of killed runs go first.
const std::string& test_folder() {
  static const std::string folder = [] {
    const fs::path tmp = fs::temp_directory_path();
    const std::string prefix = "hello_books_access_";
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(tmp, ignored)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string digits = name.substr(prefix.size());
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      if (::kill(static_cast<pid_t>(std::stol(digits)), 0) != 0 && errno == ESRCH) {
        remove_test_folder(entry.path());
      }
    }
    const fs::path dir = tmp / (prefix + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir.string();
  }();
  return folder;
}

// The test's own cluster, started on first use and stopped at the end of the run.
Cluster& own_cluster() {
  static Cluster cluster = [] {
    Cluster made{test_folder() + "/pg", free_tcp_port()};
    const ProgramRun start = made.workbook({"db", "start"});
    INFO(start.describe());
    REQUIRE(start.exit_code == 0);
    return made;
  }();
  return cluster;
}

// The cluster the suite runs on, when that is a workbook cluster (DATABASE_URL names a socket
// directory .../sock beside a data directory).
std::optional<Cluster> suite_cluster() {
  const orm::DatabaseUrl& url = testing_support::server_url();
  const fs::path socket_dir = url.host();
  if (url.host().empty() || url.host().front() != '/' || socket_dir.filename() != "sock" ||
      !fs::exists(socket_dir.parent_path() / "data/PG_VERSION")) {
    return std::nullopt;
  }
  return Cluster{socket_dir.parent_path().string(), url.port()};
}

class StopOwnClusters : public Catch::TestEventListenerBase {
 public:
  using Catch::TestEventListenerBase::TestEventListenerBase;
  void testRunEnded(const Catch::TestRunStats&) override { remove_test_folder(test_folder()); }
};
CATCH_REGISTER_LISTENER(StopOwnClusters)

// ---------------------------------------------------------------------------------------------
// Connection attempts by psql.

// One way to connect: a psql -d argument (URL or key=value), or none, and environment variables.
struct Route {
  std::string what;              // for messages
  std::optional<std::string> d;  // psql's -d
  std::vector<std::string> env;  // NAME=value
};

std::vector<std::string> psql_argv(const Route& route) {
  std::vector<std::string> argv{kPsql, "-X", "-w", "-t", "-A"};
  if (route.d) argv.insert(argv.end(), {"-d", *route.d});
  argv.insert(argv.end(), {"-c", "SELECT current_user"});
  return argv;
}

ProgramRun as_owner(const Route& route) {
  std::vector<std::string> args{"-i", "PATH=/usr/bin:/bin", "PGCONNECT_TIMEOUT=10"};
  args.insert(args.end(), route.env.begin(), route.env.end());
  const auto argv = psql_argv(route);
  args.insert(args.end(), argv.begin(), argv.end());
  return run_program("/usr/bin/env", args, {}, "/", 60);
}

ProgramRun as_other(const OtherUser& user, const Route& route) {
  std::vector<std::string> env{"PGCONNECT_TIMEOUT=10"};
  env.insert(env.end(), route.env.begin(), route.env.end());
  return user.run(psql_argv(route), env);
}

// The routes over the unix socket, in every form libpq takes, with and without the classic
// password; each names the role postgres.
std::vector<Route> socket_routes(const Cluster& cluster, const std::string& url_printed) {
  const std::string dir = cluster.socket_dir();
  const std::string port = std::to_string(cluster.port);
  std::string encoded;  // the directory as a percent-encoded URL host
  for (char c : dir) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
  const std::string keywords = "host=" + dir + " port=" + port + " user=postgres dbname=postgres";
  return {
      {"`./workbook db url` as printed", url_printed, {}},
      {"key=value, no password", keywords, {}},
      {"key=value, the classic password", keywords + " password=" + kClassicPassword, {}},
      {"key=value and PGPASSWORD", keywords, {"PGPASSWORD=" + kClassicPassword}},
      {"URL with host= and the classic password",
       "postgresql://postgres:" + kClassicPassword + "@/postgres?host=" + dir + "&port=" + port,
       {}},
      {"URL with a percent-encoded host",
       "postgresql://postgres:" + kClassicPassword + "@" + encoded + ":" + port + "/postgres",
       {}},
      {"PGHOST, PGPORT, PGUSER only",
       std::nullopt,
       {"PGHOST=" + dir, "PGPORT=" + port, "PGUSER=postgres", "PGDATABASE=postgres"}},
  };
}

// The routes over TCP: 127.0.0.1, ::1 and localhost, on `port`, classic URL, key=value without a
// password, and PGPASSWORD.
std::vector<Route> tcp_routes(int port) {
  std::vector<Route> routes;
  const std::string p = std::to_string(port);
  for (const std::string host : {"127.0.0.1", "[::1]", "localhost"}) {
    const std::string bare = host == "[::1]" ? "::1" : host;
    const std::string keywords = "host=" + bare + " port=" + p + " user=postgres dbname=postgres";
    routes.push_back(
        {"TCP " + host + ":" + p + ", classic URL",
         "postgresql://postgres:" + kClassicPassword + "@" + host + ":" + p + "/postgres",
         {}});
    routes.push_back({"TCP " + host + ":" + p + ", no password", keywords, {}});
    routes.push_back(
        {"TCP " + host + ":" + p + ", PGPASSWORD", keywords, {"PGPASSWORD=" + kClassicPassword}});
  }
  return routes;
}

// Requires `run` to have failed with one of `reasons` in its message.
void require_refused(const ProgramRun& run, const std::vector<std::string>& reasons) {
  INFO(run.describe());
  CHECK(run.exit_code != 0);
  CHECK(run.out.find("postgres") == std::string::npos);  // no query ran
  bool named = false;
  for (const auto& reason : reasons) named = named || run.err.find(reason) != std::string::npos;
  INFO("expected the refusal to say one of these: " << [&] {
    std::string all;
    for (const auto& reason : reasons) all += "\n  " + reason;
    return all;
  }());
  CHECK(named);
}

const std::vector<std::string> kNoListener = {
    "Connection refused", "Cannot assign requested address", "Network is unreachable"};

// The other user cannot get in by any route; the owner can by the socket.
void check_other_user_is_refused(const Cluster& cluster, const OtherUser& other) {
  const ProgramRun url = cluster.workbook({"db", "url", "postgres"});
  REQUIRE(url.exit_code == 0);
  const std::string printed = lesson_check::lines_of(url.out).at(0);

  for (const Route& route : socket_routes(cluster, printed)) {
    INFO("socket: " << route.what);
    const ProgramRun owner = as_owner(route);
    INFO("the owner, as a control: " << owner.describe());
    REQUIRE(owner.exit_code == 0);
    CHECK(owner.out == "postgres\n");
    require_refused(as_other(other, route), {"Permission denied"});
  }
  {
    INFO("socket: the other user's own name (peer authentication as itself)");
    require_refused(
        as_other(other, {"own name",
                         "host=" + cluster.socket_dir() + " port=" + std::to_string(cluster.port) +
                             " user=" + other.name() + " dbname=postgres",
                         {}}),
        {"Permission denied"});
  }
  {
    INFO("socket: connect() itself");
    CHECK(connect_unix(cluster.socket()) == 0);  // the owner, as a control
    CHECK(other.errno_of([&] { return connect_unix(cluster.socket()); }) == EACCES);
  }
  {
    INFO("files: configuration, pid file, log, password");
    for (const std::string& file :
         {cluster.data("pg_hba.conf"), cluster.data("postmaster.pid"), cluster.data("PG_VERSION"),
          cluster.pg_dir + "/server.log", cluster.pg_dir + "/password"}) {
      INFO(file);
      CHECK(other.errno_of([&] { return open_for_reading(file); }) == EACCES);
    }
  }

  const bool tcp = cluster.tcp_open();
  for (const Route& route : tcp_routes(cluster.port)) {
    INFO(route.what);
    const bool ipv6 = route.what.find("[::1]") != std::string::npos;
    if (tcp && !ipv6) {  // asked for: behind a password only the owner has
      require_refused(as_other(other, route),
                      {"password authentication failed", "no password supplied"});
    } else if (tcp) {  // 127.0.0.1 only
      require_refused(as_other(other, route), kNoListener);
    } else {
      require_refused(as_other(other, route), kNoListener);
      require_refused(as_owner(route), kNoListener);  // nothing listens, for anyone
    }
  }
  // PostgreSQL's default port, where the classic URL points.
  if (cluster.port != 5432 && connect_tcp(AF_INET, 5432) != ECONNREFUSED) {
    WARN("another server listens on 127.0.0.1:5432 here (not this cluster, which listens on "
         << (tcp ? "port " + std::to_string(cluster.port) : std::string("no TCP port"))
         << "): the classic URL reaches that one, so it is not tried");
  } else if (cluster.port != 5432) {
    for (const Route& route : tcp_routes(5432)) {
      INFO(route.what);
      require_refused(as_other(other, route), kNoListener);
    }
  }
  {
    INFO("TCP: connect() itself");
    for (const int family : {AF_INET, AF_INET6}) {
      INFO((family == AF_INET ? "127.0.0.1" : "::1") << " port " << cluster.port);
      const int error = other.errno_of([&] { return connect_tcp(family, cluster.port); });
      if (family == AF_INET6 || !tcp) {
        CHECK(error == ECONNREFUSED);
      } else {
        CHECK(error == 0);  // listening, behind a password (above)
      }
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("another user cannot reach the workbook's cluster by any route", "[cluster]") {
  require_root();
  const OtherUser other;
  check_other_user_is_refused(own_cluster(), other);
}

TEST_CASE("another user cannot reach the cluster the suite runs on", "[cluster]") {
  require_root();
  const auto cluster = suite_cluster();
  if (!cluster) {
    WARN(
        "DATABASE_URL names a server of your own, not the workbook's cluster: "
        "the test's own cluster was checked instead");
    return;
  }
  const OtherUser other;
  check_other_user_is_refused(*cluster, other);
}

TEST_CASE("the cluster's folders, socket and access files admit only the owner", "[cluster]") {
  require_root();
  for (const auto& cluster : {std::optional<Cluster>(own_cluster()), suite_cluster()}) {
    if (!cluster) continue;
    INFO("cluster in " << cluster->pg_dir);
    for (const std::string& dir : {cluster->pg_dir, cluster->socket_dir()}) {
      struct stat info {};
      REQUIRE(::stat(dir.c_str(), &info) == 0);
      INFO(dir);
      CHECK((info.st_mode & 07777) == 0700);
      CHECK(info.st_uid == ::getpwnam("postgres")->pw_uid);  // the server's user, as root
    }
    struct stat socket {};
    REQUIRE(::stat(cluster->socket().c_str(), &socket) == 0);
    CHECK(S_ISSOCK(socket.st_mode));
    CHECK((socket.st_mode & 07777) == 0700);

    const std::string hba = read_file(cluster->data("pg_hba.conf"));
    CHECK_THAT(hba, !Contains("trust"));
    std::vector<std::string> expected = {"local all postgres peer map=workbook",
                                         "local all all scram-sha-256"};
    if (cluster->tcp_open()) expected.push_back("host all all 127.0.0.1/32 scram-sha-256");
    CHECK(settings_of(cluster->data("pg_hba.conf")) == expected);
    CHECK(settings_of(cluster->data("pg_ident.conf")) ==
          std::vector<std::string>{"workbook \"root\" postgres"});
    CHECK(cluster->psql({"-c", "SHOW listen_addresses"}) ==
          (cluster->tcp_open() ? "127.0.0.1" : ""));
  }
}

TEST_CASE("db url prints a URL without a password that the library and psql take", "[cluster]") {
  require_root();
  const Cluster& cluster = own_cluster();
  for (const std::string name : {"hello_books_development", "hello_books_test", "postgres"}) {
    const ProgramRun run = name == "hello_books_development"
                               ? cluster.workbook({"db", "url"})
                               : cluster.workbook({"db", "url", name});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(run.err.empty());
    REQUIRE(lesson_check::lines_of(run.out).size() == 1);
    const std::string printed = lesson_check::lines_of(run.out)[0];
    CHECK(printed == "postgresql://postgres@/" + name + "?host=" + cluster.socket_dir() +
                         "&port=" + std::to_string(cluster.port));
    const auto url = orm::DatabaseUrl::parse(printed);
    CHECK_FALSE(url.has_password());
    CHECK(url.user() == "postgres");
    CHECK(url.host() == cluster.socket_dir());
    CHECK(url.port() == cluster.port);
    CHECK(url.database() == name);
    CHECK(url.masked() == url.uri_with_password());  // nothing to hide
    CHECK(orm::DatabaseUrl::parse(url.masked()).host() == cluster.socket_dir());
  }
  // The owner connects with it, as postgres, through the library.
  const ProgramRun run = cluster.workbook({"db", "url", "postgres"});
  orm::Database db(orm::DatabaseUrl::parse(lesson_check::lines_of(run.out).at(0)));
  CHECK(pqxx::nontransaction(db.connection()).exec1("SELECT current_user")[0].as<std::string>() ==
        "postgres");

  const ProgramRun status = cluster.workbook({"db", "status"});
  INFO(status.describe());
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Contains("unix socket only"));
  CHECK_THAT(status.out, Contains("URL: postgresql://postgres@/hello_books_development?host="));
}

TEST_CASE("test databases live on tmpfs, in a tablespace db start makes again after db stop",
          "[cluster]") {
  require_root();
  const Cluster& cluster = own_cluster();
  const std::string folder = scratch_folder(cluster.pg_dir);
  // Only the role postgres may put databases there (no grant): a graded submission's role
  // cannot fill the machine's memory.
  CHECK(cluster.psql({"-c",
                      "SELECT pg_tablespace_location(oid) || ' ' || pg_get_userbyid(spcowner) || "
                      "' ' || coalesce(spcacl::text, 'no grants') FROM pg_tablespace "
                      "WHERE spcname = 'workbook_scratch'"}) == folder + " postgres no grants");
  struct stat info {};
  REQUIRE(::lstat(folder.c_str(), &info) == 0);
  CHECK(S_ISDIR(info.st_mode));
  CHECK((info.st_mode & 07777) == 0700);
  CHECK(info.st_uid == ::getpwnam("postgres")->pw_uid);
  struct statfs filesystem {};
  REQUIRE(::statfs(folder.c_str(), &filesystem) == 0);
  CHECK(filesystem.f_type == TMPFS_MAGIC);

  // A database a killed test process left there, then `db stop` (or a reboot): the folder is
  // gone, and the memory it held is free. The next start drops what was lost and makes the
  // tablespace again.
  const std::string left = testing_support::scratch_database_name("left_behind");
  cluster.psql({"-c", "CREATE DATABASE " + left + " TABLESPACE workbook_scratch"});
  const ProgramRun stop = cluster.workbook({"db", "stop"});
  INFO(stop.describe());
  REQUIRE(stop.exit_code == 0);
  CHECK(stop.err.empty());
  CHECK_FALSE(fs::exists(folder));
  const ProgramRun start = cluster.workbook({"db", "start"});
  INFO(start.describe());
  REQUIRE(start.exit_code == 0);
  CHECK(start.err.empty());
  CHECK(cluster.psql({"-c", "SELECT count(*) FROM pg_database WHERE datname = '" + left + "'"}) ==
        "0");
  const std::string fresh = testing_support::scratch_database_name("after_reboot");
  cluster.psql({"-c", "CREATE DATABASE " + fresh + " TABLESPACE workbook_scratch"});
  CHECK(cluster.psql({fresh, "-c", "SELECT current_database()"}) == fresh);
  cluster.psql({"-c", "DROP DATABASE " + fresh});

  // The suite's own databases are there too, when it runs on a workbook cluster.
  if (suite_cluster()) {
    const orm::DatabaseUrl& own = testing_support::test_database();
    CHECK(suite_cluster()->psql({"-c",
                                 "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t "
                                 "ON t.oid = d.dattablespace WHERE d.datname = '" +
                                     own.database() + "'"}) == "workbook_scratch");
  }
}

TEST_CASE("db start never uses a scratch folder that is not the server user's alone", "[cluster]") {
  require_root();
  const fs::perms open_to_all = fs::perms::owner_all | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read |
                                fs::perms::others_exec;
  for (const std::string taken : {"root", "open", "link"}) {
    INFO("the folder is " << (taken == "root" ? "root's"
                              : taken == "open"
                                  ? "the server user's, but open to all (0755)"
                                  : "a symbolic link to a folder of the server user's"));
    const Cluster cluster{test_folder() + "/pg_" + taken, free_tcp_port()};
    const std::string folder = scratch_folder(cluster.pg_dir);
    fs::remove_all(folder);
    if (taken == "link") {  // another user could have made the link
      const std::string target = test_folder() + "/link_target";
      fs::create_directories(target);
      run_program("/bin/chown", {"postgres", target}, {}, "/");
      fs::permissions(target, fs::perms::owner_all);
      fs::create_directory_symlink(target, folder);
    } else {
      fs::create_directories(folder);
      fs::permissions(folder, open_to_all);
      if (taken == "open") run_program("/bin/chown", {"postgres", folder}, {}, "/");
    }
    const ProgramRun start = cluster.workbook({"db", "start"});
    INFO(start.describe());
    CHECK(start.exit_code == 0);
    CHECK_THAT(start.err,
               Contains("Not using " + folder) && Contains("not a folder of postgres's alone"));
    CHECK(lesson_check::lines_of(start.err).size() == 1);
    CHECK(cluster.psql({"-c",
                        "SELECT count(*) FROM pg_tablespace WHERE spcname = "
                        "'workbook_scratch'"}) == "0");
    cluster.workbook({"db", "stop"});
    fs::remove_all(folder);  // the link or the folder, never the link's target
  }
}

TEST_CASE("a cluster made again where a removed one was takes over its scratch folder",
          "[cluster]") {
  require_root();
  const std::string pg_dir = test_folder() + "/pg_again";
  const std::string folder = scratch_folder(pg_dir);
  fs::remove_all(folder);
  const Cluster first{pg_dir, free_tcp_port()};
  const ProgramRun made = first.workbook({"db", "start"});
  INFO(made.describe());
  REQUIRE(made.exit_code == 0);
  CHECK(read_file(folder + "/data_directory") == pg_dir + "/data\n");
  // A database a killed test left there, then the server is killed (no `db stop`, which would
  // free the folder) and the clone deleted: the folder on tmpfs stays, with PostgreSQL's files.
  first.psql({"-c", "CREATE DATABASE hello_books_test_left TABLESPACE workbook_scratch"});
  kill_server(pg_dir + "/data");
  REQUIRE_FALSE(fs::is_empty(folder));
  fs::remove_all(pg_dir);

  const Cluster second{pg_dir, free_tcp_port()};
  const ProgramRun start = second.workbook({"db", "start"});
  INFO(start.describe());
  REQUIRE(start.exit_code == 0);
  CHECK(start.err.empty());
  CHECK(second.psql({"-c",
                     "SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = "
                     "'workbook_scratch'"}) == folder);
  second.psql({"-c", "CREATE DATABASE hello_books_test_again TABLESPACE workbook_scratch"});
  CHECK(second.psql({"hello_books_test_again", "-c", "SELECT current_database()"}) ==
        "hello_books_test_again");
  const ProgramRun stop = second.workbook({"db", "stop"});
  INFO(stop.describe());
  CHECK(stop.exit_code == 0);
  CHECK_FALSE(fs::exists(folder));  // db stop frees it

  // A folder recorded for another data directory is never emptied, neither by db start (the
  // tests use the disk) nor by db stop.
  fs::remove_all(pg_dir);
  run_program("/usr/sbin/runuser",
              {"-u", "postgres", "--", "/bin/sh", "-c",
               "mkdir -m 700 \"$1\" \"$1/PG_15_other\" && echo /elsewhere/data > "
               "\"$1/data_directory\"",
               "sh", folder},
              {}, "/");
  REQUIRE(fs::exists(folder + "/data_directory"));
  const Cluster third{pg_dir, free_tcp_port()};
  const ProgramRun refused = third.workbook({"db", "start"});
  INFO(refused.describe());
  CHECK(refused.exit_code == 0);
  CHECK_THAT(refused.err,
             Contains("Not using " + folder) &&
                 Contains("it holds the tablespace of the cluster in /elsewhere/data"));
  CHECK(third.psql({"-c",
                    "SELECT count(*) FROM pg_tablespace WHERE spcname = "
                    "'workbook_scratch'"}) == "0");
  CHECK(fs::exists(folder + "/data_directory"));
  CHECK_FALSE(fs::is_empty(folder));
  third.workbook({"db", "stop"});
  CHECK(fs::exists(folder + "/PG_15_other"));
  fs::remove_all(folder);
}

TEST_CASE("db psql takes a database name as psql does", "[cluster]") {
  require_root();
  const Cluster& cluster = own_cluster();
  const std::string name = testing_support::scratch_database_name("psql_name");
  cluster.psql({"-c", "DROP DATABASE IF EXISTS " + name, "-c", "CREATE DATABASE " + name});
  CHECK(cluster.psql({"-c", "SELECT current_user || ' ' || current_database()"}) ==
        "postgres postgres");
  CHECK(cluster.psql({name, "-c", "SELECT current_database()"}) == name);
  CHECK(cluster.psql({"-c", "SELECT current_database()", name}) == name);
  CHECK(cluster.psql({"-d", name, "-c", "SELECT current_database()"}) == name);
  cluster.psql({"-c", "DROP DATABASE " + name});
}

TEST_CASE("even with its folders opened, the server lets no other user in", "[cluster]") {
  // The second line of defence, on the test's own cluster only: with the folders and the socket
  // opened to everyone for a moment, peer authentication still refuses the role postgres to
  // anyone but the owner, and every other role needs a password.
  require_root();
  const Cluster& cluster = own_cluster();
  const OtherUser other;
  struct Opened {
    const Cluster& cluster;
    explicit Opened(const Cluster& c) : cluster(c) {
      REQUIRE(::chmod(cluster.pg_dir.c_str(), 0711) == 0);
      REQUIRE(::chmod(cluster.socket_dir().c_str(), 0711) == 0);
      REQUIRE(::chmod(cluster.socket().c_str(), 0777) == 0);
    }
    ~Opened() {
      ::chmod(cluster.socket().c_str(), 0700);
      ::chmod(cluster.socket_dir().c_str(), 0700);
      ::chmod(cluster.pg_dir.c_str(), 0700);
    }
  } opened(cluster);
  const std::string base =
      "host=" + cluster.socket_dir() + " port=" + std::to_string(cluster.port) + " dbname=postgres";
  CHECK(other.errno_of([&] { return connect_unix(cluster.socket()); }) == 0);  // it is open
  require_refused(as_other(other, {"postgres", base + " user=postgres", {}}),
                  {"Peer authentication failed for user \"postgres\""});
  require_refused(as_other(other, {"postgres, classic password",
                                   base + " user=postgres password=" + kClassicPassword,
                                   {}}),
                  {"Peer authentication failed for user \"postgres\""});
  require_refused(as_other(other, {"own name", base + " user=" + other.name(), {}}),
                  {"no password supplied"});
  require_refused(as_other(other, {"own name, a password",
                                   base + " user=" + other.name(),
                                   {"PGPASSWORD=" + kClassicPassword}}),
                  {"password authentication failed"});
}

TEST_CASE("--tcp opens 127.0.0.1 behind a generated password that only the owner can read",
          "[cluster]") {
  require_root();
  const Cluster& cluster = own_cluster();
  const OtherUser other;
  const std::string password_file = cluster.pg_dir + "/password";

  std::vector<ProgramRun> outputs;
  outputs.push_back(cluster.workbook({"db", "start", "--tcp"}));
  INFO(outputs.back().describe());
  REQUIRE(outputs.back().exit_code == 0);
  CHECK_THAT(outputs.back().out, Contains("TCP on 127.0.0.1"));
  CHECK(cluster.tcp_open());
  outputs.push_back(cluster.workbook({"db", "status"}));
  outputs.push_back(cluster.workbook({"db", "url"}));
  outputs.push_back(cluster.workbook({"db", "start"}, {{"WORKBOOK_PGTCP", "1"}}));  // as is
  CHECK_THAT(outputs.back().out, Contains("already running"));

  struct stat info {};
  REQUIRE(::stat(password_file.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0600);
  CHECK(info.st_uid == 0);  // who ran ./workbook
  std::string password = read_file(password_file);
  while (!password.empty() && password.back() == '\n') password.pop_back();
  CHECK(password.size() >= 20);
  for (const auto& run : outputs) {
    INFO(run.describe());
    CHECK(run.out.find(password) == std::string::npos);  // never printed
    CHECK(run.err.find(password) == std::string::npos);
  }
  CHECK(other.errno_of([&] { return open_for_reading(password_file); }) == EACCES);

  const std::string tcp =
      "host=127.0.0.1 port=" + std::to_string(cluster.port) + " user=postgres dbname=postgres";
  const ProgramRun owner = as_owner({"owner, the password", tcp, {"PGPASSWORD=" + password}});
  INFO(owner.describe());
  CHECK(owner.out == "postgres\n");  // a GUI client with the password gets in
  CHECK(settings_of(cluster.data("pg_hba.conf")).back() ==
        "host all all 127.0.0.1/32 scram-sha-256");
  check_other_user_is_refused(cluster, other);

  // Back to the socket only: no listener, no host line, no password.
  const ProgramRun closed = cluster.workbook({"db", "start"});
  INFO(closed.describe());
  CHECK(closed.exit_code == 0);
  CHECK_THAT(closed.out, Contains("unix socket only"));
  CHECK_FALSE(cluster.tcp_open());
  CHECK(connect_tcp(AF_INET, cluster.port) == ECONNREFUSED);
  CHECK(settings_of(cluster.data("pg_hba.conf")).size() == 2);
  CHECK(cluster.psql(
            {"-c", "SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'postgres'"}) == "t");
}

TEST_CASE("a lesson program run by hand uses this checkout's running cluster", "[cluster]") {
  require_root();
  const Cluster& cluster = own_cluster();
  if (cluster.psql({"-c",
                    "SELECT count(*) FROM pg_database WHERE datname = "
                    "'hello_books_development'"}) == "0") {
    cluster.psql({"-c", "CREATE DATABASE hello_books_development"});
  }
  const std::vector<EnvChange> by_hand = {{"DATABASE_URL", std::nullopt},
                                          {"TEST_DATABASE_URL", std::nullopt},
                                          {"WORKBOOK_PGPORT", std::nullopt},
                                          {"WORKBOOK_PGDIR", cluster.pg_dir}};
  // As `./workbook db url` writes it: the socket directory as it is, then the port.
  const std::string url =
      "postgresql://postgres@/hello_books_development?host=" + cluster.socket_dir() +
      "&port=" + std::to_string(cluster.port) + "\n";

  const ProgramRun run = run_program(HELLO_BOOKS_PROGRAM, {}, by_hand);
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, StartsWith("hello_books is connected to " + url));
  CHECK(run.err.empty());

  // WORKBOOK_PGPORT names another port: the running cluster is used, and one line says so.
  auto other_port = by_hand;
  other_port.push_back({"WORKBOOK_PGPORT", "1"});
  const ProgramRun moved = run_program(HELLO_BOOKS_PROGRAM, {}, other_port);
  INFO(moved.describe());
  CHECK(moved.exit_code == 0);
  CHECK_THAT(moved.out, StartsWith("hello_books is connected to " + url));
  CHECK(moved.err == "note: the workbook's PostgreSQL runs on port " +
                         std::to_string(cluster.port) + ", not WORKBOOK_PGPORT=1; using port " +
                         std::to_string(cluster.port) + "\n");

  // A cluster folder copied while its server ran: that server is not this checkout's.
  const std::string copy = test_folder() + "/copied_pg";
  fs::create_directories(copy + "/data");
  fs::copy_file(cluster.data("postmaster.pid"), copy + "/data/postmaster.pid",
                fs::copy_options::overwrite_existing);
  std::ofstream(copy + "/data/PG_VERSION") << "15\n";
  const ProgramRun copied = run_program(HELLO_BOOKS_PROGRAM, {},
                                        {{"DATABASE_URL", std::nullopt},
                                         {"WORKBOOK_PGPORT", std::nullopt},
                                         {"WORKBOOK_PGDIR", copy}});
  INFO(copied.describe());
  CHECK(copied.exit_code == 1);
  const auto lines = copied.err_lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "note: " + copy + "/data/postmaster.pid belongs to the server of " +
                        cluster.pg_dir + "/data, not to this checkout's: start this one's with " +
                        "./workbook db start");
  CHECK_THAT(lines[1], Contains("cannot connect to PostgreSQL at unix socket " + copy + "/sock"));
  CHECK_THAT(lines[1], Contains("./workbook db start"));
  // No cluster at all: the library's one line says what to do.
  const std::string none = test_folder() + "/no_cluster";
  const ProgramRun nothing = run_program(HELLO_BOOKS_PROGRAM, {},
                                         {{"DATABASE_URL", std::nullopt},
                                          {"WORKBOOK_PGPORT", std::nullopt},
                                          {"WORKBOOK_PGDIR", none}});
  INFO(nothing.describe());
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.err == "hello_books: cannot connect to PostgreSQL at unix socket " + none +
                           "/sock (port 55432) (no server answers there): is the server "
                           "running? In this workbook: ./workbook db start\n");
  // ./workbook does not take the copied cluster for its own either.
  const ProgramRun status = workbook(copy, cluster.port, {"db", "status"});
  INFO(status.describe());
  CHECK(status.exit_code == 3);
  CHECK_THAT(status.out, Contains("not running"));
}

// ---------------------------------------------------------------------------------------------
// Clusters made by older workbooks: TCP on 127.0.0.1, every role by password, the socket's
// folder open. (Here with a random password rather than the well-known "postgres", so that the
// test itself never opens a superuser to everyone for the seconds it runs.)

namespace {

struct OldCluster {
  Cluster cluster;
  std::string password;
};

OldCluster make_old_cluster(const std::string& name, bool running) {
  const std::string pg_dir = test_folder() + "/" + name;
  const int port = free_tcp_port();
  std::string password = "old-" + std::to_string(::getpid()) + "-" + std::to_string(port) + "-pw";
  fs::create_directories(pg_dir + "/sock");
  fs::permissions(pg_dir + "/sock", fs::perms(0755));
  std::ofstream(pg_dir + "/pwfile") << password << "\n";
  run_program("/usr/bin/chown", {"-R", "postgres:", pg_dir});
  ::chmod(pg_dir.c_str(), 0700);
  const auto as_postgres = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"-u", "postgres", "--"});
    const ProgramRun run = run_program("/usr/sbin/runuser", argv, {}, "/", 120);
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
  };
  // What older workbooks ran.
  as_postgres({kPgBin + "initdb", "-D", pg_dir + "/data", "-U", "postgres",
               "--pwfile=" + pg_dir + "/pwfile", "--auth=scram-sha-256", "-E", "UTF8",
               "--locale=C.UTF-8", "--no-sync"});
  fs::remove(pg_dir + "/pwfile");
  std::ofstream(pg_dir + "/data/postgresql.conf", std::ios::app)
      << "\n# --- hello_books workbook: a disposable, test-only cluster ---\n"
      << "listen_addresses = '127.0.0.1'\nunix_socket_directories = '" << pg_dir << "/sock'\n"
      << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
      << "max_connections = 200\nlogging_collector = off\n";
  as_postgres({kPgBin + "pg_ctl", "-D", pg_dir + "/data", "-l", pg_dir + "/server.log", "-o",
               "-p " + std::to_string(port), "-w", "start"});
  // As it was: anyone with the password gets in over TCP. Some data to keep.
  const std::string tcp =
      "postgresql://postgres:" + password + "@127.0.0.1:" + std::to_string(port) + "/postgres";
  for (const std::string sql : {"CREATE DATABASE hello_books_kept", "SELECT 1"}) {
    const ProgramRun run = run_program(kPsql, {"-X", "-w", "-d", tcp, "-c", sql});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
  }
  if (!running) {
    as_postgres({kPgBin + "pg_ctl", "-D", pg_dir + "/data", "-m", "fast", "-w", "stop"});
  }
  return {Cluster{pg_dir, port}, password};
}

// `run`, the first ./workbook command after the update, upgraded the old cluster.
void check_upgraded(const OldCluster& old, const ProgramRun& run) {
  const Cluster& cluster = old.cluster;
  INFO(run.describe());
  REQUIRE(run.exit_code == 0);
  const auto lines = run.err_lines();
  REQUIRE(lines.size() == 1);  // one line says what happened
  CHECK(lines[0] ==
        "Upgraded the workbook's PostgreSQL to owner-only access: it was open to every user of "
        "this machine (TCP, password postgres); now only you can reach it (unix socket, no "
        "password). ./workbook db url prints its new URL.");

  // The old routes are closed: no TCP, no password.
  const std::string port = std::to_string(cluster.port);
  require_refused(
      as_owner({"old URL",
                "postgresql://postgres:" + old.password + "@127.0.0.1:" + port + "/postgres",
                {}}),
      kNoListener);
  CHECK(cluster.psql(
            {"-c", "SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'postgres'"}) == "t");
  // The data is still there, and the layout is the new one.
  CHECK(cluster.psql({"hello_books_kept", "-c", "SELECT current_database()"}) ==
        "hello_books_kept");
  CHECK(settings_of(cluster.data("pg_hba.conf")) ==
        std::vector<std::string>{"local all postgres peer map=workbook",
                                 "local all all scram-sha-256"});
  struct stat info {};
  REQUIRE(::stat(cluster.socket_dir().c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0700);
  const OtherUser other;
  require_refused(as_other(other, {"old password on the socket",
                                   "host=" + cluster.socket_dir() + " port=" + port +
                                       " user=postgres dbname=postgres password=" + old.password,
                                   {}}),
                  {"Permission denied"});
  // A second start has nothing more to say.
  const ProgramRun again = cluster.workbook({"db", "start"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.empty());
  cluster.workbook({"db", "stop"});
}

}  // namespace

TEST_CASE("a running cluster made by an older workbook is upgraded on db start", "[cluster]") {
  require_root();
  const OldCluster old = make_old_cluster("oldpg_running", true);
  const ProgramRun start = old.cluster.workbook({"db", "start"});
  CHECK_THAT(start.out, Contains("unix socket only"));
  check_upgraded(old, start);
}

TEST_CASE("a stopped cluster made by an older workbook is upgraded when a command needs it",
          "[cluster]") {
  require_root();
  const OldCluster old = make_old_cluster("oldpg_stopped", false);
  const ProgramRun psql = old.cluster.workbook({"db", "psql", "-X", "-tA", "-c", "SELECT 1"});
  CHECK(psql.out == "1\n");
  check_upgraded(old, psql);
}
