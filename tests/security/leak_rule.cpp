#include "leak_rule.hpp"

#include <cstdint>

namespace leak_rule {
namespace {

// The next character of the same class: 0-9, a-f, g-z, A-F, G-Z each turn round in themselves.
char twin_ascii(char c) {
  const auto turn = [c](char first, char last) {
    return static_cast<char>(c == last ? first : c + 1);
  };
  if (c >= '0' && c <= '9') return turn('0', '9');
  if (c >= 'a' && c <= 'f') return turn('a', 'f');
  if (c >= 'g' && c <= 'z') return turn('g', 'z');
  if (c >= 'A' && c <= 'F') return turn('A', 'F');
  if (c >= 'G' && c <= 'Z') return turn('G', 'Z');
  return c;
}

// The UTF-8 sequence of code point `code`, `length` bytes long.
std::string encode(std::uint32_t code, std::size_t length) {
  std::string out;
  if (length == 2) {
    out += static_cast<char>(0xC0 | (code >> 6));
  } else if (length == 3) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (code & 0x3F));
  return out;
}

}  // namespace

std::string twin(const std::string& secret) {
  std::string out;
  for (std::size_t i = 0; i < secret.size();) {
    const auto lead = static_cast<unsigned char>(secret[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (length == 1 || i + length > secret.size()) {
      out += twin_ascii(secret[i]);
      ++i;
      continue;
    }
    // A multi-byte character: the next code point with the same UTF-8 length (or the one before,
    // at the end of a length's range).
    std::uint32_t code = lead & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < length; ++k) {
      code = (code << 6) | (static_cast<unsigned char>(secret[i + k]) & 0x3F);
    }
    const std::uint32_t last = length == 2 ? 0x7FF : length == 3 ? 0xFFFF : 0x10FFFF;
    const std::uint32_t other = code == last ? code - 1 : code + 1;
    out += encode((other >= 0xD800 && other <= 0xDFFF) ? 0xE000 : other, length);
    i += length;
  }
  return out;
}

std::vector<std::string> fragments(const std::string& spelling, const std::string& twin_spelling) {
  std::vector<std::string> result;
  for (std::size_t i = 0; i + 4 <= spelling.size(); ++i) {
    if (spelling.compare(i, 4, twin_spelling, i, 4) != 0) result.push_back(spelling.substr(i, 4));
  }
  return result;
}

std::size_t occurrences(const std::string& text, const std::string& piece) {
  std::size_t count = 0;
  for (auto pos = text.find(piece); pos != std::string::npos; pos = text.find(piece, pos + 1)) {
    ++count;
  }
  return count;
}

std::vector<std::string> leaks(const std::string& spelling, const std::string& twin_spelling,
                               const std::string& output, const std::string& twin_output) {
  std::vector<std::string> found;
  for (const auto& fragment : fragments(spelling, twin_spelling)) {
    if (occurrences(output, fragment) > occurrences(twin_output, fragment)) {
      found.push_back(fragment);
    }
  }
  return found;
}

}  // namespace leak_rule
