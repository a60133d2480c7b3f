#include "engine/record_codec.h"

namespace hashtriage::engine {

std::string EncodeRecord(const nlohmann::json& record) {
  const std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(record);
  return std::string(cbor.begin(), cbor.end());
}

Result<nlohmann::json> DecodeRecord(std::string_view bytes) {
  nlohmann::json j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true,
                                               /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("case record is not valid CBOR");
  return j;
}

}  // namespace hashtriage::engine
