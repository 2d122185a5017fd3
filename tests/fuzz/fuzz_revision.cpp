// libFuzzer target: any bytes as a revision file. parse_revision either returns a revision whose
// parts are consistent or throws orm::migrate::MigrationError; nothing else (no crash, no
// sanitizer report, no other exception).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "orm/migrate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto revision = orm::migrate::parse_revision(text, "fuzz.sql");
    if (revision.id.empty() || revision.checksum.size() != 64) std::abort();
    for (const auto* section : {&revision.upgrade, &revision.downgrade}) {
      int line = 0;
      for (const auto& statement : *section) {
        if (statement.sql.empty() || statement.line < line) std::abort();
        line = statement.line;
      }
    }
    // What render_revision writes parses back to the same header.
    orm::migrate::RevisionDraft draft;
    draft.id = revision.id;
    draft.down_revisions = revision.down_revisions;
    draft.message = revision.message;
    draft.create_date = "2026-01-01 00:00:00.000000";
    const auto again = orm::migrate::parse_revision(render_revision(draft), "again.sql");
    if (again.id != revision.id || again.down_revisions != revision.down_revisions) std::abort();
  } catch (const orm::migrate::MigrationError&) {
  }
  return 0;
}
