#include "utf8.hpp"

#include <nlohmann/json.hpp>

namespace text {

std::string valid_utf8(const std::string& bytes) {
  // Fast path: plain ASCII is valid as it is.
  bool ascii = true;
  for (const char c : bytes) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return bytes;
  const std::string quoted = nlohmann::json(bytes).dump(-1, ' ', /*ensure_ascii=*/false,
                                                        nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace text
