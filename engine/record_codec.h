// Record encoding for the case store: JSON values stored as CBOR (compact, schema-flexible, and
// readable back as JSON for exports). Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine {

std::string EncodeRecord(const nlohmann::json& record);
Result<nlohmann::json> DecodeRecord(std::string_view bytes);

}  // namespace hashtriage::engine
