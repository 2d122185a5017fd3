// Do not change this file: it belongs to the migration tests (label: migrate).
#include "process.hpp"

#include <sys/stat.h>

#include <sstream>
#include <stdexcept>

#include "test_database.hpp"

namespace migrate_testing {

std::string fresh_project() {
  static int counter = 0;
  const std::string path =
      testing_support::scratch_directory() + "/project_" + std::to_string(++counter);
  if (::mkdir(path.c_str(), 0755) != 0) throw std::runtime_error("cannot create " + path);
  return path;
}

RunningProcess start_app(const std::vector<std::string>& args, const std::string& cwd,
                         const Environment& env) {
  subprocess::Spec spec;
  spec.argv = {MIGRATE_APP_PATH};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.directory = cwd;
  for (const auto& [name, value] : env) {  // an empty value unsets the variable
    spec.env.emplace_back(name, value.empty() ? std::nullopt : std::optional<std::string>(value));
  }
  auto process = std::make_shared<subprocess::Process>(subprocess::Process::start(spec));
  return {process->pid(), process};
}

ProcessResult finish(const RunningProcess& process) {
  const subprocess::Result run = process.process->wait();
  ProcessResult result;
  result.status = run.started ? run.status() : 127;  // 127: as a shell says "cannot run"
  result.out = run.out;
  result.err = run.started ? run.err : run.error + "\n";
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
