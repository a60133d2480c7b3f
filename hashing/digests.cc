#include "hashing/digests.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hashing/read_only_file.h"

namespace hashtriage::hashing {

std::string_view DigestKindName(DigestKind kind) {
  switch (kind) {
    case DigestKind::kMd5: return "md5";
    case DigestKind::kSha1: return "sha1";
    case DigestKind::kSha256: return "sha256";
    case DigestKind::kXxh3: return "xxh3";
  }
  return "unknown";
}

Result<DigestKind> ParseDigestKind(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "md5") return DigestKind::kMd5;
  if (lower == "sha1" || lower == "sha-1") return DigestKind::kSha1;
  if (lower == "sha256" || lower == "sha-256") return DigestKind::kSha256;
  if (lower == "xxh3" || lower == "xxh3-128" || lower == "xxh3_128" || lower == "xxh128") return DigestKind::kXxh3;
  return Status::InvalidArgument("unknown digest '" + std::string(name) + "' (expected md5, sha1, sha256 or xxh3)");
}

std::string DigestValues::Hex(DigestKind kind) const {
  switch (kind) {
    case DigestKind::kMd5: return md5 ? md5->hex() : "";
    case DigestKind::kSha1: return sha1 ? sha1->hex() : "";
    case DigestKind::kSha256: return sha256 ? sha256->hex() : "";
    case DigestKind::kXxh3: return xxh3 ? xxh3->hex() : "";
  }
  return "";
}

struct MultiDigester::State {
  EVP_MD_CTX* md5 = nullptr;
  EVP_MD_CTX* sha1 = nullptr;
  EVP_MD_CTX* sha256 = nullptr;
  XXH3_state_t* xxh3 = nullptr;

  ~State() {
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha1);
    EVP_MD_CTX_free(sha256);
    if (xxh3) XXH3_freeState(xxh3);
  }
};

namespace {
// Fetched once: EVP_MD_fetch avoids the per-call implicit fetch of EVP_md5() & co in OpenSSL 3.
const EVP_MD* FetchedMd(const char* name) {
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (std::strcmp(name, "MD5") == 0) return md5;
  if (std::strcmp(name, "SHA1") == 0) return sha1;
  return sha256;
}

EVP_MD_CTX* NewContext(const char* name) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex2(ctx, FetchedMd(name), nullptr);
  return ctx;
}

template <typename DigestT>
DigestT FinishEvp(EVP_MD_CTX* ctx) {
  DigestT out;
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.bytes.data(), &len);
  return out;
}
}  // namespace

MultiDigester::MultiDigester(DigestSet set) : set_(set), state_(std::make_unique<State>()) {
  if (set_.Has(DigestKind::kMd5)) state_->md5 = NewContext("MD5");
  if (set_.Has(DigestKind::kSha1)) state_->sha1 = NewContext("SHA1");
  if (set_.Has(DigestKind::kSha256)) state_->sha256 = NewContext("SHA256");
  if (set_.Has(DigestKind::kXxh3)) {
    state_->xxh3 = XXH3_createState();
    XXH3_128bits_reset(state_->xxh3);
  }
}

MultiDigester::~MultiDigester() = default;
MultiDigester::MultiDigester(MultiDigester&&) noexcept = default;
MultiDigester& MultiDigester::operator=(MultiDigester&&) noexcept = default;

void MultiDigester::Update(std::span<const std::byte> data) {
  if (data.empty()) return;
  if (state_->md5) EVP_DigestUpdate(state_->md5, data.data(), data.size());
  if (state_->sha1) EVP_DigestUpdate(state_->sha1, data.data(), data.size());
  if (state_->sha256) EVP_DigestUpdate(state_->sha256, data.data(), data.size());
  if (state_->xxh3) XXH3_128bits_update(state_->xxh3, data.data(), data.size());
}

DigestValues MultiDigester::Finish() {
  DigestValues out;
  if (state_->md5) out.md5 = FinishEvp<Md5Digest>(state_->md5);
  if (state_->sha1) out.sha1 = FinishEvp<Sha1Digest>(state_->sha1);
  if (state_->sha256) out.sha256 = FinishEvp<Sha256Digest>(state_->sha256);
  if (state_->xxh3) {
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state_->xxh3));
    Xxh3Digest d;
    std::memcpy(d.bytes.data(), canonical.digest, d.bytes.size());
    out.xxh3 = d;
  }
  Reset();
  return out;
}

void MultiDigester::Reset() {
  if (state_->md5) EVP_DigestInit_ex2(state_->md5, nullptr, nullptr);
  if (state_->sha1) EVP_DigestInit_ex2(state_->sha1, nullptr, nullptr);
  if (state_->sha256) EVP_DigestInit_ex2(state_->sha256, nullptr, nullptr);
  if (state_->xxh3) XXH3_128bits_reset(state_->xxh3);
}

DigestValues DigestBytes(std::span<const std::byte> data, DigestSet set) {
  MultiDigester digester(set);
  digester.Update(data);
  return digester.Finish();
}

Result<DigestValues> DigestFile(const std::string& path, DigestSet set, std::size_t buffer_bytes) {
  HT_ASSIGN_OR_RETURN(ReadOnlyFile file, ReadOnlyFile::Open(path));
  MultiDigester digester(set);
  std::vector<std::byte> buffer(buffer_bytes == 0 ? 1 << 20 : buffer_bytes);
  while (true) {
    HT_ASSIGN_OR_RETURN(std::size_t n, file.Read(buffer));
    if (n == 0) break;
    digester.Update(std::span<const std::byte>(buffer.data(), n));
  }
  return digester.Finish();
}

}  // namespace hashtriage::hashing
