// The one timing loop of the C++ benchmarks: warm-up, interleaved runs, one JSON line each.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

/// One way of doing a row's work, e.g. "orm::Session, add_all + commit".
struct Contender {
  std::string side;    ///< "ours" or "raw"
  std::string method;  ///< what it does, shown in the report
  /// Untimed preparation before every run (e.g. empty the table, build the objects).
  std::function<void()> setup;
  /// The timed work.
  std::function<void()> work;
  /// Untimed check after every run: throws when the work did not do what it claims.
  std::function<void()> check;
  /// False for a raw method that skips part of the work (e.g. COPY that returns no ids): it is
  /// reported, but cannot be the floor.
  bool same_work = true;
};

/// One line of the report: a name the report driver knows and the contenders measured beside
/// each other.
struct Row {
  std::string name;
  std::vector<Contender> contenders;
};

/// Runs every contender of `row` once to warm up (caches, prepared statements), then `runs`
/// times, interleaved (the order rotates each run so no side always goes first). Prints one JSON
/// line per contender to `out`:
/// `{"row": ..., "side": ..., "method": ..., "same_work": ..., "seconds": [...]}`.
void measure(const Row& row, int runs, std::ostream& out);

}  // namespace bench
