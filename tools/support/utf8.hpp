/// @file
/// The repository's one rule for text that must be valid UTF-8 (the workbook reporter's JSON
/// records, the tool's JUnit XML).
#pragma once

#include <string>

namespace text {

/// `bytes` with every byte that does not begin a well-formed UTF-8 sequence (a stray
/// continuation byte, a truncated or overlong sequence, a surrogate, a code point past U+10FFFF)
/// replaced by U+FFFD. The decoder is nlohmann-json's, the same that writes the JSON records.
std::string valid_utf8(const std::string& bytes);

}  // namespace text
