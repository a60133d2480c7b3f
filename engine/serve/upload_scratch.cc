#include "engine/serve/upload_scratch.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace hashtriage::engine::serve {

namespace {

std::string SafeName(const std::string& given, const std::string& fallback) {
  std::string name = std::filesystem::path(given).filename().string();
  for (char& ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = '_';
  }
  if (name.empty() || name == "." || name == "..") name = fallback;
  return name.substr(0, 120);
}

}  // namespace

Result<std::unique_ptr<UploadScratch>> UploadScratch::Write(Case& c, const std::string& given_name,
                                                            const std::string& fallback, const nlohmann::json& content) {
  if (!content.is_binary() && !content.is_string()) return Status::InvalidArgument("the file's content must be bytes or a string");
  std::unique_ptr<UploadScratch> scratch(new UploadScratch());
  scratch->name_ = SafeName(given_name, fallback);
  std::string base = c.ScratchDirectory();
  if (base.empty()) base = std::filesystem::temp_directory_path().string();
  std::string pattern = base + "/upload-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return Status::IOError("cannot create a scratch directory in " + base);
  scratch->dir_ = pattern;
  scratch->path_ = scratch->dir_ + "/" + scratch->name_;
  std::ofstream out(scratch->path_, std::ios::binary);
  if (content.is_binary()) {
    const auto& bytes = content.get_binary();
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  } else {
    const auto& text = content.get_ref<const std::string&>();
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  out.close();
  if (!out) return Status::IOError("cannot write the scratch copy of " + scratch->name_);
  return scratch;
}

UploadScratch::~UploadScratch() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

}  // namespace hashtriage::engine::serve
