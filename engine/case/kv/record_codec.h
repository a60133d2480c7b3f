// Record encoding for the case (both backends store these bytes): each record is a JSON object stored as CBOR (compact, and
// readable back as JSON when a case must be inspected by hand) carrying its format version in field
// "v". Decoding checks the version, so a record written in another format is reported, never misread.
// Safe field readers turn missing or mistyped fields into defaults. Pure functions; used only by the
// typed stores in this folder.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"

namespace hashtriage::engine::kv {

using Json = nlohmann::json;

// `record` must be a JSON object; "v" is set to `version`.
std::string EncodeRecord(Json record, int version);
// Corruption when the bytes are not a CBOR object (naming `what`); NotSupported when its "v" is not
// `version`.
Result<Json> DecodeRecord(std::string_view bytes, int version, std::string_view what);

// Field readers: the value, or the default when the field is missing or of another type.
std::string Str(const Json& j, std::string_view key);
std::int64_t Int(const Json& j, std::string_view key, std::int64_t fallback = 0);
std::uint64_t UInt(const Json& j, std::string_view key, std::uint64_t fallback = 0);
bool Bool(const Json& j, std::string_view key, bool fallback = false);
double Double(const Json& j, std::string_view key, double fallback = 0);
// An array field, or an empty array.
const Json& Arr(const Json& j, std::string_view key);
const Json& Obj(const Json& j, std::string_view key);
std::optional<std::int64_t> OptInt(const Json& j, std::string_view key);
std::optional<bool> OptBool(const Json& j, std::string_view key);
Json OptJson(const std::optional<std::int64_t>& v);
Json OptJson(const std::optional<bool>& v);
std::vector<std::string> Strings(const Json& j, std::string_view key);

// Big-endian fixed-width key parts, so that key order is numeric order.
std::string EncodeU32(std::uint32_t v);
std::string EncodeU64(std::uint64_t v);
std::uint32_t DecodeU32(std::string_view bytes);
std::uint64_t DecodeU64(std::string_view bytes);
// Printable form of a key for error messages (bytes outside 0x20..0x7e as '.').
std::string PrintableKey(std::string_view key);

}  // namespace hashtriage::engine::kv
