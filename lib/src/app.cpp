#include "orm/app.hpp"

namespace orm {

App::App(Config config)
    : config_(std::move(config)), db_(DatabaseUrl::parse(config_.database_url)) {}

}  // namespace orm
