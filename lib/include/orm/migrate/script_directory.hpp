/// @file
/// The migrations folder: `<directory>/versions/*.sql`, read and checked as a whole.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "orm/migrate/revision.hpp"

namespace orm::migrate {

/// The migrations folder: `<directory>/versions/*.sql`, read and checked as a whole.
///
/// The order of revisions comes from their `Revises:` lines, never from file names. A folder
/// whose revisions fork (two revisions revise the same one) has several heads: heads() lists
/// them and chain() refuses with an error that says how to join them.
///
/// @code
/// auto scripts = orm::migrate::ScriptDirectory::load("migrations", "hello_books");
/// for (const auto* revision : scripts.chain()) std::cout << revision->id << "\n";  // oldest first
/// @endcode
class ScriptDirectory {
 public:
  /// Reads and parses every revision file. `program` names the executable in hints ("run
  /// `hello_books db init`"). Throws MigrationError when the folder is missing, a file does not
  /// parse, two files share a revision id, a `Revises:` names an unknown revision, or the links
  /// form a cycle.
  static ScriptDirectory load(const std::filesystem::path& directory,
                              const std::string& program = "hello_books");

  /// The migrations directory, as given to load().
  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// `<directory>/versions`, where the revision files are.
  std::filesystem::path versions_directory() const { return directory_ / "versions"; }

  /// Every revision, oldest first (by distance from base, then create date).
  const std::vector<Revision>& revisions() const noexcept { return revisions_; }
  /// Revisions no other revision revises: one for a healthy folder, none when it is empty.
  std::vector<const Revision*> heads() const;
  /// The revisions from base to head, oldest first. Throws MigrationError when there are several
  /// heads, naming them and the edit that joins them.
  std::vector<const Revision*> chain() const;

  /// The revision with exactly this id, or nullptr.
  const Revision* find(std::string_view id) const;
  /// The revision whose id is `id` or starts with it. Throws MigrationError when none or several
  /// match.
  const Revision& resolve(std::string_view id) const;

  /// Writes a new revision file `versions/<id>_<slug>.sql` and returns its path.
  std::filesystem::path write(const RevisionDraft& draft) const;

 private:
  void order_by_links();

  std::filesystem::path directory_;
  std::string program_;
  std::vector<Revision> revisions_;
};

}  // namespace orm::migrate
