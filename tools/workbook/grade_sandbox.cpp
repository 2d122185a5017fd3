#include "grade_sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "checker.hpp"
#include "lessons.hpp"
#include "orm/database.hpp"
#include "orm/url.hpp"
#include "source_record.hpp"
#include "workbook/cluster.hpp"  // detail::url_encode: the one URL encoder of the lessons' URLs

extern char** environ;

namespace fs = std::filesystem;

namespace workbook {
namespace {

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

// ---- the relay: PostgreSQL's wire protocol, only as far as the first message ------------------

constexpr std::uint32_t kProtocol3 = 196608;        // StartupMessage, protocol 3.0
constexpr std::uint32_t kSslRequest = 80877103;     // answered 'N': no TLS on a unix socket
constexpr std::uint32_t kGssEncRequest = 80877104;  // answered 'N' too

std::uint32_t be32(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

// Waits for `fd` to be ready for `events`; false when `stop` turned true or on an error.
bool wait_for(int fd, short events, const std::atomic<bool>& stop) {
  while (!stop) {
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, 200);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
  return false;
}

bool read_exact(int fd, unsigned char* data, std::size_t size, const std::atomic<bool>& stop) {
  for (std::size_t done = 0; done < size;) {
    if (!wait_for(fd, POLLIN, stop)) return false;
    const ssize_t n = ::recv(fd, data + done, size - done, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const void* data, std::size_t size, const std::atomic<bool>& stop) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t done = 0; done < size;) {
    if (!wait_for(fd, POLLOUT, stop)) return false;
    const ssize_t n = ::send(fd, bytes + done, size - done, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  return true;
}

// An ErrorResponse the client's libpq shows as "FATAL: <message>".
std::string error_response(const std::string& message) {
  std::string body = std::string("SFATAL") + '\0' + "C28000" + '\0' + "M" + message + '\0' + '\0';
  const auto length = static_cast<std::uint32_t>(body.size() + 4);
  std::string packet = "E";
  for (int shift = 24; shift >= 0; shift -= 8)
    packet += static_cast<char>((length >> shift) & 0xff);
  return packet + body;
}

// The value of `key` in a StartupMessage's parameters (after the protocol number).
std::string startup_parameter(const std::vector<unsigned char>& packet, const std::string& key) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 4; i < packet.size(); ++i) {
    if (packet[i] == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(packet[i]);
    }
  }
  for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
    if (words[i] == key) return words[i + 1];
  }
  return "";
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// ---- the submission's user and files ---------------------------------------------------------

void set_owner(const fs::path& path, uid_t uid, gid_t gid, mode_t mode) {
  if (::lchown(path.c_str(), uid, gid) != 0) throw system_error("cannot chown " + path.string());
  if (::chmod(path.c_str(), mode) != 0) throw system_error("cannot chmod " + path.string());
}

// A folder owned by uid:gid with `mode`; one of another owner is emptied first (it is never
// followed: a link there is removed, not its target). What it already holds becomes uid:gid's
// too: a file left by someone else (e.g. root running a build there) would stop the next build.
void owned_folder(const fs::path& path, uid_t uid, gid_t gid, mode_t mode) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0 && (!S_ISDIR(info.st_mode) || info.st_uid != uid)) {
    fs::remove_all(path);
  }
  fs::create_directories(path);
  set_owner(path, uid, gid, mode);
  for (auto it = fs::recursive_directory_iterator(path); it != fs::recursive_directory_iterator();
       ++it) {  // links are not followed
    if (::lstat(it->path().c_str(), &info) == 0 && (info.st_uid != uid || info.st_gid != gid) &&
        ::lchown(it->path().c_str(), uid, gid) != 0) {
      throw system_error("cannot chown " + it->path().string());
    }
  }
}

// Makes `to` hold exactly the regular files of `from` (links are not followed, and not copied),
// rewriting only files whose content differs.
void mirror_regular_files(const fs::path& from, const fs::path& to) {
  std::set<fs::path> wanted;
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator();
       ++it) {
    const auto status = it->symlink_status();
    const fs::path relative = fs::relative(it->path(), from);
    if (fs::is_directory(status)) {
      wanted.insert(relative);
      fs::create_directories(to / relative);
    } else if (fs::is_regular_file(status)) {
      wanted.insert(relative);
      const std::string text = read_file(it->path().string());
      const fs::path target = to / relative;
      std::error_code missing;
      if (!fs::is_regular_file(fs::symlink_status(target, missing)) ||
          read_file(target.string()) != text) {
        fs::remove_all(target);
        write_file(target.string(), text);
      }
    }
  }
  std::vector<fs::path> extra;
  for (auto it = fs::recursive_directory_iterator(to); it != fs::recursive_directory_iterator();
       ++it) {
    if (!wanted.count(fs::relative(it->path(), to))) extra.push_back(it->path());
  }
  for (const auto& path : extra) fs::remove_all(path);
}

}  // namespace

// ---- DatabaseRelay ---------------------------------------------------------------------------

DatabaseRelay::DatabaseRelay(const std::string& listen_dir, int port, const std::string& server_dir,
                             std::string role)
    : server_socket_(server_dir + "/.s.PGSQL." + std::to_string(port)), role_(std::move(role)) {
  const std::string path = listen_dir + "/.s.PGSQL." + std::to_string(port);
  sockaddr_un address{};
  if (path.size() >= sizeof address.sun_path) {
    throw std::runtime_error("the grading folder's path is too long for a unix socket (" + path +
                             "); grade into a shorter folder (--out, --grade-dir)");
  }
  ::unlink(path.c_str());
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (listener_ < 0 ||
      ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 64) != 0) {
    const auto error = system_error("cannot listen on " + path);
    if (listener_ >= 0) ::close(listener_);
    throw error;
  }
  // Anyone who can enter the folder may connect: only the submission's user can (mode 0750,
  // group its own).
  ::chmod(path.c_str(), 0777);
  acceptor_ = std::thread([this] { accept_loop(); });
}

DatabaseRelay::~DatabaseRelay() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& connection : connections_) connection.join();
  if (listener_ >= 0) ::close(listener_);
}

void DatabaseRelay::accept_loop() {
  while (wait_for(listener_, POLLIN, stop_)) {
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) connections_.emplace_back([this, client] { forward(client); });
  }
}

void DatabaseRelay::forward(int client) {
  int server = -1;
  std::vector<unsigned char> packet;
  for (int attempt = 0; attempt < 3; ++attempt) {  // TLS / GSS requests first, then the startup
    unsigned char head[4];
    if (!read_exact(client, head, 4, stop_)) break;
    const std::uint32_t length = be32(head);
    if (length < 8 || length > 10000) break;
    packet.assign(length - 4, 0);
    if (!read_exact(client, packet.data(), packet.size(), stop_)) break;
    const std::uint32_t code = be32(packet.data());
    if (code == kSslRequest || code == kGssEncRequest) {
      if (!write_all(client, "N", 1, stop_)) break;
      continue;
    }
    if (code != kProtocol3) break;
    const std::string user = startup_parameter(packet, "user");
    if (user != role_ || !startup_parameter(packet, "replication").empty()) {
      const std::string refusal = error_response(
          "the grader admits only this submission's own role " + role_ + ", not " + user);
      write_all(client, refusal.data(), refusal.size(), stop_);
      break;
    }
    server = connect_unix(server_socket_);
    if (server < 0 || !write_all(server, head, 4, stop_) ||
        !write_all(server, packet.data(), packet.size(), stop_)) {
      break;
    }
    // Both ways until either side closes (or the grade ends).
    char buffer[65536];
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    while (!stop_) {
      const int ready = ::poll(fds, 2, 200);
      if (ready < 0 && errno != EINTR) break;
      bool open = true;
      for (int i = 0; i < 2 && open && ready > 0; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) open = false;
        if (n > 0) open = write_all(fds[1 - i].fd, buffer, static_cast<std::size_t>(n), stop_);
      }
      if (!open) break;
    }
    break;
  }
  if (server >= 0) ::close(server);
  ::close(client);
}

// ---- Sandbox ---------------------------------------------------------------------------------

bool Sandbox::wanted() {
  return ::geteuid() == 0;
}

std::string Sandbox::role_for(const std::string& key) {
  return "workbook_grade_" + content_hash(key).substr(0, 10);
}

Sandbox::Sandbox(const std::string& key, const std::string& work_dir, SandboxLimits limits)
    : work_(work_dir), limits_(limits) {
  user_ = "wbgrade-" + content_hash(key).substr(0, 10);
  role_ = role_for(key);
  make_user();
  stop_processes();  // whatever an earlier grade of this submission left running
  make_folders();
  make_role();
}

Sandbox::~Sandbox() {
  stop_processes();
  relay_.reset();
  drop_role();
}

void Sandbox::make_user() {
  if (::getpwnam(user_.c_str()) == nullptr) {
    // A system user with a group of its own, no home, no login shell. (Two graders may race to
    // create it: the second one's useradd fails, and the user is there all the same.)
    subprocess::run(
        subprocess::command({"useradd", "--system", "--user-group", "--no-create-home",
                             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                             "--comment", "hello_books workbook, one graded submission", user_}));
  }
  const passwd* entry = ::getpwnam(user_.c_str());
  if (entry == nullptr) {
    throw std::runtime_error("could not create the grading user " + user_ +
                             " (useradd failed; the grader needs root to create users)");
  }
  uid_ = entry->pw_uid;
  gid_ = entry->pw_gid;
}

void Sandbox::make_folders() {
  // The folder itself: anyone may pass through it (the submission's user must reach its build),
  // nobody but root may list or change it. Inside: what the submission may only read (its
  // lessons, the grader's state) is root's, group-readable by its group; what it writes (its
  // build tree, results, home) is its own, mode 0700.
  fs::create_directories(work_);
  set_owner(work_, 0, 0, 0711);
  owned_folder(lessons_dir(), 0, gid_, 0750);
  owned_folder(state_dir(), 0, gid_, 0750);
  owned_folder(work_ + "/database", 0, gid_, 0750);
  for (const auto& own : {build_dir(), results_dir(), work_ + "/home"}) {
    owned_folder(own, uid_, gid_, 0700);
  }
  const auto reach = subprocess::run(subprocess::command(
      {"setpriv", "--reuid=" + std::to_string(uid_), "--regid=" + std::to_string(gid_),
       "--clear-groups", "--", "test", "-w", build_dir()}));
  if (!reach.ok()) {
    throw std::runtime_error("the grading user " + user_ + " cannot reach " + work_ +
                             ": a folder above it is private; grade into a folder that others may "
                             "pass through (mode 0711 or 0755 on every folder above it)");
  }
}

void Sandbox::stage_lessons(const std::string& from) const {
  mirror_regular_files(from, lessons_dir());
  for (auto it = fs::recursive_directory_iterator(lessons_dir());
       it != fs::recursive_directory_iterator(); ++it) {
    set_owner(it->path(), 0, gid_, it->is_directory() ? 0750 : 0640);
  }
}

void Sandbox::make_role() {
  const auto server = orm::DatabaseUrl::parse(database_url());
  password_ = content_hash(read_file("/proc/sys/kernel/random/uuid")) +
              content_hash(read_file("/proc/sys/kernel/random/uuid"));
  drop_role();
  {
    orm::Database admin(server.with_database("postgres"));
    pqxx::nontransaction sql(admin.connection());
    sql.exec0("CREATE ROLE " + sql.quote_name(role_) +
              " LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION CONNECTION LIMIT 64 "
              "PASSWORD " +
              sql.quote(password_));
    sql.exec0("CREATE DATABASE " + sql.quote_name(role_) + " OWNER " + sql.quote_name(role_) +
              " TEMPLATE template0");
    sql.exec0("REVOKE CONNECT, TEMPORARY ON DATABASE " + sql.quote_name(role_) + " FROM PUBLIC");
  }
  std::string host = server.host();
  if (!host.empty() && host.front() == '/') {  // the server's own socket stays owner-only
    relay_ = std::make_unique<DatabaseRelay>(work_ + "/database", server.port(), host, role_);
    host = work_ + "/database";
  }
  url_ = "postgresql://" + role_ + ":" + password_ + "@/" + role_ +
         "?host=" + detail::url_encode(host) + "&port=" + std::to_string(server.port());
}

void Sandbox::drop_role() noexcept {
  try {
    orm::Database admin(orm::DatabaseUrl::parse(database_url()).with_database("postgres"));
    pqxx::nontransaction sql(admin.connection());
    const auto role = sql.quote(role_);
    if (sql.exec("SELECT 1 FROM pg_roles WHERE rolname = " + role).empty()) return;
    sql.exec0("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = " + role);
    for (const auto& row : sql.exec("SELECT datname FROM pg_database WHERE datdba = (SELECT oid "
                                    "FROM pg_roles WHERE rolname = " +
                                    role + ")")) {
      sql.exec0("DROP DATABASE IF EXISTS " + sql.quote_name(row[0].as<std::string>()) +
                " WITH (FORCE)");
    }
    sql.exec0("DROP OWNED BY " + sql.quote_name(role_));
    sql.exec0("DROP ROLE " + sql.quote_name(role_));
  } catch (const std::exception&) {  // the next grade of this submission tries again
  }
}

void Sandbox::confine(ProcessSpec& spec) const {
  if (spec.timeout_seconds <= 0) spec.timeout_seconds = limits_.build_timeout_seconds;
  // CPU time too: a process it leaves behind (a busy loop in another process group) burns no
  // more than the program's own time limit before the system stops it.
  const auto cpu_seconds = static_cast<long>(std::min(spec.timeout_seconds, limits_.cpu_seconds));
  std::vector<std::string> argv = {"prlimit",
                                   "--cpu=" + std::to_string(std::max(1L, cpu_seconds)),
                                   "--nproc=" + std::to_string(limits_.processes),
                                   "--fsize=" + std::to_string(limits_.file_limit),
                                   "--as=" + std::to_string(limits_.memory_limit),
                                   "--core=0",
                                   "--",
                                   "setpriv",
                                   "--reuid=" + std::to_string(uid_),
                                   "--regid=" + std::to_string(gid_),
                                   "--clear-groups",
                                   "--no-new-privs",
                                   "--inh-caps=-all",
                                   "--",
                                   "/bin/sh",
                                   "-c",
                                   "umask 077 && exec \"$0\" \"$@\""};
  argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
  spec.argv = argv;

  // Nothing of the grader's environment but what a build needs: no tokens, no instructor URLs.
  static const std::set<std::string> kept = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"};
  std::set<std::string> changed;
  for (const auto& change : spec.env) changed.insert(change.first);
  const std::string home = work_ + "/home";
  const std::vector<subprocess::EnvChange> own = {
      {"HOME", home},     {"TMPDIR", home},       {"USER", user_},
      {"LOGNAME", user_}, {"DATABASE_URL", url_}, {"TEST_DATABASE_URL", url_}};
  for (const auto& change : own) changed.insert(change.first);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    if (!kept.count(name) && !changed.count(name)) spec.env.emplace_back(name, std::nullopt);
  }
  for (const auto& change : own) spec.env.push_back(change);
  if (limits_.build_jobs > 0) {
    spec.env.emplace_back("CMAKE_BUILD_PARALLEL_LEVEL", std::to_string(limits_.build_jobs));
  }
  if (!compiler_cache_.empty()) {
    for (auto& change : compiler_cache_env(compiler_cache_, build_dir(), true)) {
      spec.env.push_back(std::move(change));
    }
    spec.env.emplace_back("CCACHE_TEMPDIR", home);
  }
  spec.output_limit = limits_.output_limit;
}

std::string Sandbox::read_written(const std::string& path, std::size_t limit) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw system_error("cannot read " + path);
  struct stat info {};
  std::string text;
  const bool plain =
      ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == uid_ && info.st_nlink == 1;
  if (plain && static_cast<std::size_t>(info.st_size) <= limit) {
    text.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    text.resize(done);
  }
  ::close(fd);
  if (!plain) throw std::runtime_error(path + " is not a plain file of the submission's own");
  if (static_cast<std::size_t>(info.st_size) > limit) {
    throw std::runtime_error(path + " is larger than " + std::to_string(limit) + " bytes");
  }
  return text;
}

std::size_t Sandbox::stop_processes() const {
  for (int round = 0; round < 50; ++round) {
    if (processes_of(uid_).empty()) return 0;
    // kill(-1) as the user itself: every process of that user at once, in one system call, so a
    // process that forks cannot outrun it.
    subprocess::run(subprocess::command({"setpriv", "--reuid=" + std::to_string(uid_),
                                         "--regid=" + std::to_string(gid_), "--clear-groups", "--",
                                         "kill", "-KILL", "-1"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * (round + 1)));
  }
  return processes_of(uid_).size();
}

std::vector<subprocess::EnvChange> compiler_cache_env(const std::string& cache_dir,
                                                      const std::string& base_dir, bool read_only) {
  std::vector<subprocess::EnvChange> env = {
      {"CCACHE_DIR", cache_dir},
      {"CCACHE_BASEDIR", base_dir},
      {"CCACHE_NOHASHDIR", "1"},
      {"CCACHE_SLOPPINESS", "pch_defines,time_macros,include_file_mtime,include_file_ctime"}};
  if (read_only) {  // ccache takes these as set or unset, never "0"
    env.emplace_back("CCACHE_READONLY", "1");
    env.emplace_back("CCACHE_NOSTATS", "1");
  }
  return env;
}

std::vector<pid_t> processes_of(uid_t uid) {
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat info {};
    if (::stat(entry.path().c_str(), &info) != 0 || info.st_uid != uid) continue;
    // A zombie has stopped already; it waits only for its parent to collect its status.
    std::ifstream stat_file(entry.path() / "stat");
    std::string line;
    std::getline(stat_file, line);
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') continue;
    pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

}  // namespace workbook
