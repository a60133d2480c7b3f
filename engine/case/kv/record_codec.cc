#include "engine/case/kv/record_codec.h"

namespace hashtriage::engine::kv {

std::string EncodeRecord(Json record, int version) {
  record["v"] = version;
  const std::vector<std::uint8_t> cbor = Json::to_cbor(record);
  return std::string(cbor.begin(), cbor.end());
}

Result<Json> DecodeRecord(std::string_view bytes, int version, std::string_view what) {
  Json j = Json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(std::string(what) + ": record is not valid CBOR");
  const std::int64_t v = Int(j, "v", -1);
  if (v != version) {
    return Status::NotSupported(std::string(what) + ": record format " + std::to_string(v) +
                                ", this hashtriage reads format " + std::to_string(version));
  }
  return j;
}

namespace {
const Json* Field(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
}  // namespace

std::string Str(const Json& j, std::string_view key) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_string() ? f->get<std::string>() : std::string();
}
std::int64_t Int(const Json& j, std::string_view key, std::int64_t fallback) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_number_integer() ? f->get<std::int64_t>() : fallback;
}
std::uint64_t UInt(const Json& j, std::string_view key, std::uint64_t fallback) {
  const Json* f = Field(j, key);
  if (f == nullptr || !f->is_number_integer()) return fallback;
  return f->is_number_unsigned() ? f->get<std::uint64_t>() : static_cast<std::uint64_t>(std::max<std::int64_t>(0, f->get<std::int64_t>()));
}
double Double(const Json& j, std::string_view key, double fallback) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_number() ? f->get<double>() : fallback;
}

bool Bool(const Json& j, std::string_view key, bool fallback) {
  const Json* f = Field(j, key);
  return f != nullptr && f->is_boolean() ? f->get<bool>() : fallback;
}
const Json& Arr(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json* f = Field(j, key);
  return f != nullptr && f->is_array() ? *f : kEmpty;
}
const Json& Obj(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::object();
  const Json* f = Field(j, key);
  return f != nullptr && f->is_object() ? *f : kEmpty;
}
std::optional<std::int64_t> OptInt(const Json& j, std::string_view key) {
  const Json* f = Field(j, key);
  if (f == nullptr || !f->is_number_integer()) return std::nullopt;
  return f->get<std::int64_t>();
}
std::optional<bool> OptBool(const Json& j, std::string_view key) {
  const Json* f = Field(j, key);
  if (f == nullptr || !f->is_boolean()) return std::nullopt;
  return f->get<bool>();
}
Json OptJson(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }
Json OptJson(const std::optional<bool>& v) { return v ? Json(*v) : Json(nullptr); }
std::vector<std::string> Strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const Json& item : Arr(j, key)) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string EncodeU32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xFF);
  return out;
}
std::string EncodeU64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xFF);
  return out;
}
std::uint32_t DecodeU32(std::string_view bytes) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4 && i < bytes.size(); ++i) v = v << 8 | static_cast<std::uint8_t>(bytes[i]);
  return v;
}
std::uint64_t DecodeU64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) v = v << 8 | static_cast<std::uint8_t>(bytes[i]);
  return v;
}
std::string PrintableKey(std::string_view key) {
  std::string out;
  for (char c : key) out += (c >= 0x20 && c < 0x7f) ? c : '.';
  return out;
}

}  // namespace hashtriage::engine::kv
