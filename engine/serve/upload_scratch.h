// A file uploaded through the API (a referral file, a hash list), written to a private scratch directory
// — the case's scratch directory (0700), else TMPDIR — for the hardened readers to parse, and removed
// with this object whatever happens. The file keeps the uploaded name's last component (control
// characters replaced, at most 120 bytes), which the readers report, never the scratch path.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::serve {

class UploadScratch {
 public:
  // `content`: CBOR bytes or a JSON string; `fallback` names a file whose given name is empty or only dots.
  static Result<std::unique_ptr<UploadScratch>> Write(Case& c, const std::string& given_name,
                                                      const std::string& fallback, const nlohmann::json& content);
  ~UploadScratch();
  UploadScratch(const UploadScratch&) = delete;
  UploadScratch& operator=(const UploadScratch&) = delete;

  const std::string& name() const { return name_; }       // as uploaded (made safe)
  const std::string& path() const { return path_; }       // the scratch copy
  const std::string& directory() const { return dir_; }   // removed on destruction

 private:
  UploadScratch() = default;
  std::string name_, path_, dir_;
};

}  // namespace hashtriage::engine::serve
