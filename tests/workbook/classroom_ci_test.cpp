// The classroom CI files (GitHub Classroom autograding, its workflow, GitLab CI) cannot run here:
// this checks that they call exactly the commands README.md documents, and every lesson
// (label workbook).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "lessons.hpp"
#include "lines.hpp"

namespace {

std::string project_file(const std::string& path) {
  return workbook::read_file(PROJECT_DIR "/" + path);
}

// Every `./workbook ...` command in README.md's code blocks.
std::set<std::string> documented_commands() {
  std::set<std::string> commands;
  bool in_code = false;
  for (const auto& line : workbook::split_lines(project_file("README.md"))) {
    if (line.rfind("```", 0) == 0) {
      in_code = !in_code;
    } else if (in_code && line.rfind("./workbook", 0) == 0) {
      commands.insert(line.substr(0, line.find("  #")));
    }
  }
  return commands;
}

// The `./workbook ...` commands in a YAML file's `run:` steps and `script:` lists.
std::vector<std::string> yaml_commands(const std::string& path) {
  std::vector<std::string> commands;
  const std::regex command(R"(^\s*(?:-\s+run:|run:|-)\s+(\./workbook\b.*?)\s*$)");
  for (const auto& line : workbook::split_lines(project_file(path))) {
    std::smatch match;
    if (std::regex_match(line, match, command)) commands.push_back(match[1]);
  }
  return commands;
}

}  // namespace

TEST_CASE("GitHub Classroom's autograding runs each lesson's documented check command",
          "[classroom]") {
  const auto documented = documented_commands();
  const auto tests = nlohmann::json::parse(project_file(".github/classroom/autograding.json"));
  std::set<std::string> runs;
  for (const auto& test : tests.at("tests")) {
    for (const char* key : {"setup", "run"}) {
      const std::string command = test.at(key).get<std::string>();
      if (command.empty()) continue;
      INFO(key << ": " << command);
      CHECK(documented.count(command) == 1);
      runs.insert(command);
    }
    CHECK(test.at("points").get<int>() > 0);
  }
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  for (const auto& lesson : catalog.lessons()) {
    INFO("lesson " << lesson.number);
    CHECK(runs.count("./workbook check " + lesson.number) == 1);
  }
}

TEST_CASE("the classroom workflow and GitLab CI call the documented grade commands",
          "[classroom]") {
  const auto documented = documented_commands();
  for (const std::string path : {".github/workflows/classroom.yml", ".gitlab-ci.yml"}) {
    const auto commands = yaml_commands(path);
    INFO(path);
    CHECK(commands ==
          std::vector<std::string>{"./workbook setup", "./workbook grade . --junit grades.xml"});
    for (const auto& command : commands) {
      INFO(command);
      CHECK(documented.count(command) == 1);
    }
  }
  const std::string workflow = project_file(".github/workflows/classroom.yml");
  CHECK_THAT(workflow, Catch::Matchers::Contains("container: debian:12"));
  CHECK_THAT(workflow, Catch::Matchers::Contains("education/autograding@v1"));
  const std::string gitlab = project_file(".gitlab-ci.yml");
  CHECK_THAT(gitlab, Catch::Matchers::Contains("image: debian:12"));
  CHECK_THAT(gitlab, Catch::Matchers::Contains("junit: grades.xml"));
}
