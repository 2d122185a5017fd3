#include "measure.hpp"

#include <chrono>
#include <cstddef>
#include <cstdio>

namespace bench {
namespace {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

double timed_run(const Contender& contender) {
  if (contender.setup) contender.setup();
  const auto start = std::chrono::steady_clock::now();
  contender.work();
  const auto stop = std::chrono::steady_clock::now();
  if (contender.check) contender.check();
  return std::chrono::duration<double>(stop - start).count();
}

}  // namespace

void measure(const Row& row, int runs, std::ostream& out) {
  const std::size_t n = row.contenders.size();
  for (const auto& contender : row.contenders) timed_run(contender);  // warm-up, not counted

  std::vector<std::vector<double>> seconds(n);
  for (int run = 0; run < runs; ++run) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (k + static_cast<std::size_t>(run)) % n;
      seconds[i].push_back(timed_run(row.contenders[i]));
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    const auto& contender = row.contenders[i];
    out << "{\"row\": " << json_string(row.name) << ", \"side\": " << json_string(contender.side)
        << ", \"method\": " << json_string(contender.method)
        << ", \"same_work\": " << (contender.same_work ? "true" : "false") << ", \"seconds\": [";
    for (std::size_t r = 0; r < seconds[i].size(); ++r) {
      char figure[32];
      std::snprintf(figure, sizeof figure, "%.6f", seconds[i][r]);
      out << (r == 0 ? "" : ", ") << figure;
    }
    out << "]}\n" << std::flush;
  }
}

}  // namespace bench
