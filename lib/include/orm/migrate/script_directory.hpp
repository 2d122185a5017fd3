/// @file
/// The migrations folder: `<directory>/versions/*.sql`, read and checked as a whole.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orm/migrate/revision.hpp"

namespace orm::migrate {

/// The migrations folder: `<directory>/versions/*.sql`, read and checked as a whole.
///
/// The revisions form a graph through their `Revises:` lines, never through file names: a
/// revision follows one revision (or base), a merge revision follows several. Two revisions that
/// revise the same one make a branch point and two heads; head() refuses them with an error that
/// says how to join them (`db merge`, or re-parenting one revision).
///
/// @code
/// auto scripts = orm::migrate::ScriptDirectory::load("migrations", "hello_books");
/// for (const auto* revision : scripts.lineage({scripts.head()})) std::cout << revision->id;
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

  /// Every revision in an order that applies each after all the revisions it revises (by
  /// longest distance from base, then create date, then id).
  const std::vector<Revision>& revisions() const noexcept { return revisions_; }
  /// Revisions no other revision revises, oldest first: one for a healthy folder, none when it
  /// is empty, several when the history has branches that no merge revision joins.
  std::vector<const Revision*> heads() const;
  /// The one head, or nullptr when there is no revision. Throws MigrationError when there are
  /// several heads, naming them and the two ways to join them: `db merge`, or re-parenting one
  /// revision. `applied` (the ids a database has applied) lets the advice pick a revision to
  /// re-parent that this database has not applied.
  const Revision* head(const std::set<std::string>& applied = {}) const;
  /// The revisions that revise `revision` (its children), oldest first.
  std::vector<const Revision*> children(const Revision& revision) const;
  /// `targets` and every revision they follow, directly or not, in the order of revisions().
  std::vector<const Revision*> lineage(const std::vector<const Revision*>& targets) const;
  /// Every revision that follows `revision`, directly or not (not itself), in the order of
  /// revisions().
  std::vector<const Revision*> descendants(const Revision& revision) const;
  /// The index of `revision` in revisions().
  std::size_t position(const Revision& revision) const;

  /// The revision with exactly this id, or nullptr.
  const Revision* find(std::string_view id) const;
  /// The revision whose id is `id` or starts with it. Throws MigrationError when none or several
  /// match.
  const Revision& resolve(std::string_view id) const;

  /// Writes a new revision file `versions/<id>_<slug>.sql` and returns its path.
  std::filesystem::path write(const RevisionDraft& draft) const;

 private:
  void order_by_links();
  [[noreturn]] void multiple_heads(const std::vector<const Revision*>& heads,
                                   const std::set<std::string>& applied) const;

  std::filesystem::path directory_;
  std::string program_;
  std::vector<Revision> revisions_;
};

}  // namespace orm::migrate
