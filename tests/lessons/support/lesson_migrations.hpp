// For the checks of lessons with migrations (04 on): the schema after each revision.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "orm/app.hpp"
#include "orm/migrate.hpp"
#include "orm/url.hpp"

namespace lesson_check {

/// How far upgrade_one_at_a_time got.
struct Upgraded {
  std::size_t applied = 0;  ///< revisions applied, from the first
  std::string error;        ///< why the next one failed, when one did
};

/// Upgrades the empty database `url` one revision of `chain` at a time with the library's own
/// upgrade (what `<program> db upgrade <revision>` runs), here in the check's process, and calls
/// `after_each()` once each revision is applied. Stops at the first revision that fails. Running
/// the program for each revision instead cost a process and two server connections per
/// revision, in every check process.
inline Upgraded upgrade_one_at_a_time(const orm::DatabaseUrl& url,
                                      const std::filesystem::path& migrations,
                                      const std::vector<orm::migrate::Revision>& chain,
                                      const std::function<void()>& after_each) {
  orm::App app(orm::Config{url.uri_with_password(), true});
  std::ostringstream said;  // "Running upgrade ...": the checks read the schema instead
  orm::migrate::Migrations runner(app, said, orm::migrate::Settings(migrations));
  Upgraded upgraded;
  for (; upgraded.applied < chain.size(); ++upgraded.applied) {
    try {
      runner.upgrade(chain[upgraded.applied].id);
    } catch (const std::exception& e) {
      upgraded.error = e.what();
      break;
    }
    after_each();
  }
  return upgraded;
}

}  // namespace lesson_check
