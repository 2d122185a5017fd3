// Do not change this file: it belongs to the migration tests (label: migrate).
#include "process.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test_database.hpp"

namespace migrate_testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string fresh_project() {
  static int counter = 0;
  const std::string path =
      testing_support::scratch_directory() + "/project_" + std::to_string(++counter);
  if (::mkdir(path.c_str(), 0755) != 0) throw std::runtime_error("cannot create " + path);
  return path;
}

RunningProcess start_app(const std::vector<std::string>& args, const std::string& cwd,
                         const Environment& env) {
  static int counter = 0;
  const std::string base =
      testing_support::scratch_directory() + "/process_" + std::to_string(++counter);
  RunningProcess process{-1, base + ".out", base + ".err"};

  std::vector<std::string> argv_storage{MIGRATE_APP_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // The child's environment: this process's, with `env` applied.
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    if (env.count(text.substr(0, text.find('='))) == 0) env_storage.push_back(text);
  }
  for (const auto& [name, value] : env) {
    if (!value.empty()) env_storage.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    const int out = ::open(process.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(process.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  process.pid = pid;
  return process;
}

ProcessResult finish(const RunningProcess& process) {
  int status = 0;
  while (::waitpid(process.pid, &status, 0) < 0) {
  }
  ProcessResult result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_all(process.out_path);
  result.err = read_all(process.err_path);
  return result;
}

ProcessResult run_app(const std::vector<std::string>& args, const std::string& cwd,
                      const Environment& env) {
  return finish(start_app(args, cwd, env));
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace migrate_testing
