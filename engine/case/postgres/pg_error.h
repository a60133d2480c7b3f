// How a PostgreSQL failure becomes a Status: a serialization failure or deadlock is a Conflict
// (someone else changed the same records first; nothing was stored), a lost connection or a refused
// one an IOError naming the server, anything else an IOError with the server's own message.
#pragma once

#include <exception>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine::pg {

Status FromPostgres(const std::exception& error, std::string_view what);

}  // namespace hashtriage::engine::pg
