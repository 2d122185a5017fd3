// Internal: the small string helpers the library's sources share (one of each).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace orm::detail {

/// `s` without leading and trailing white space (space, tab, newline, CR, FF, VT).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// `s` with ASCII letters in lower case (other bytes unchanged).
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// `s` with ASCII letters in upper case (other bytes unchanged).
inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// `text` with every occurrence of `needle` replaced by `with` (left to right, no overlaps).
inline std::string replace_all(std::string text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return text;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + with.size())) {
    text.replace(pos, needle.size(), with);
  }
  return text;
}

}  // namespace orm::detail
