/// @file
/// The whole orm library in one include: apps, URLs, servers, models, schema and sessions.
#pragma once

#include "orm/app.hpp"
#include "orm/database.hpp"
#include "orm/errors.hpp"
#include "orm/model.hpp"
#include "orm/relationship.hpp"
#include "orm/schema.hpp"
#include "orm/server.hpp"
#include "orm/session.hpp"
#include "orm/types.hpp"
#include "orm/url.hpp"
