// libFuzzer target: any bytes as a connection URL. DatabaseUrl::parse either returns a URL whose
// accessors and masked() work, or throws orm::ConfigError; nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "orm/errors.hpp"
#include "orm/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const orm::DatabaseUrl url = orm::DatabaseUrl::parse(text);
    const std::string masked = url.masked();
    (void)url.server();
    (void)url.database();
    (void)url.user();
    (void)url.scrub(text + " " + masked);
  } catch (const orm::ConfigError&) {
  }
  return 0;
}
