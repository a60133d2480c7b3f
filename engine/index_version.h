// IndexVersion: which known-image index a command used, for its audit entry: the index path, every
// hash set in it (name, generation, format, import time, entries per hash type) and one SHA-256 over
// that list, so two runs can be shown to have matched against the same hash sets (a re-import gives a
// set a new generation, hence a new digest). Pure function of a frozen KnownIndex; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "index/known_index.h"

namespace hashtriage::engine {

// {"path", "sets": [{name, generation, format, imported_unix, entries{type: n}}...], "sha256"}.
nlohmann::json IndexVersion(const index::KnownIndex& index);

}  // namespace hashtriage::engine
