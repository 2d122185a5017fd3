// libFuzzer target: any bytes as a revision section. split_sql either returns statements in file
// order, each non-empty and without a NUL byte, or throws orm::migrate::SqlSplitError with a
// line inside the text; nothing else.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "orm/migrate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  try {
    int line = 1;
    for (const auto& statement : orm::migrate::split_sql(text, 1)) {
      if (statement.sql.empty() || statement.line < line || statement.line > lines ||
          statement.sql.find('\0') != std::string::npos) {
        std::abort();
      }
      line = statement.line;
    }
  } catch (const orm::migrate::SqlSplitError& e) {
    if (e.line() < 1 || e.line() > lines) std::abort();
  }
  return 0;
}
