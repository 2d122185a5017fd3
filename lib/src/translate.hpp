// Internal: turns libpqxx/libpq exceptions into orm errors with one-line, password-free messages.
#pragma once

#include <string>

#include "orm/errors.hpp"
#include "orm/url.hpp"

namespace orm::detail {

/// What the failing call was doing; picks the wording of connection errors.
enum class Phase { connecting, running };

/// Call from inside a `catch (...)` block: rethrows the active exception as an orm error.
/// orm errors pass through unchanged.
[[noreturn]] void rethrow_translated(const DatabaseUrl& url, Phase phase);

/// The first line of a server error text, without the "ERROR:  " prefix.
std::string server_message(const std::string& what);

/// `text` on one line: newlines and tabs become spaces, trailing spaces go.
std::string one_line(std::string text);

}  // namespace orm::detail
