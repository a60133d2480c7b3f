#include "ingest/evidence_integrity.h"

#include <vector>

#include "hashing/digests.h"
#include "ingest/evidence_source.h"
#include "ingest/internal/image_reader.h"

namespace hashtriage::ingest {

std::string_view StoredHashCheckName(StoredHashCheck check) {
  switch (check) {
    case StoredHashCheck::kNotApplicable: return "not-applicable";
    case StoredHashCheck::kNoStoredHash: return "no-stored-hash";
    case StoredHashCheck::kVerified: return "verified";
    case StoredHashCheck::kMismatch: return "mismatch";
  }
  return "unknown";
}

Result<EvidenceIntegrity> ComputeEvidenceIntegrity(const std::string& path, SourceType type) {
  if (type == SourceType::kAuto) {
    HT_ASSIGN_OR_RETURN(type, DetectSourceType(path));
  }
  if (type == SourceType::kDirectory) {
    return Status::NotSupported(path + ": a directory has no single digest; its files are hashed one by one");
  }
  const hashing::DigestSet set = hashing::DigestSet().Add(hashing::DigestKind::kMd5).Add(hashing::DigestKind::kSha1);
  EvidenceIntegrity out;
  out.type = type;
  if (type != SourceType::kEwf) {
    HT_ASSIGN_OR_RETURN(auto image, internal::OpenRawImage(path));
    out.bytes_hashed = image->size();
    HT_ASSIGN_OR_RETURN(hashing::DigestValues d, hashing::DigestFile(path, set));
    out.md5 = *d.md5;
    out.sha1 = *d.sha1;
    return out;
  }
  HT_ASSIGN_OR_RETURN(std::unique_ptr<internal::EwfImageReader> ewf, internal::EwfImageReader::Open(path));
  hashing::MultiDigester digester(set);
  std::vector<std::byte> buf(std::size_t{1} << 20);
  std::uint64_t offset = 0;
  while (offset < ewf->size()) {
    HT_ASSIGN_OR_RETURN(const std::size_t n, ewf->ReadAt(offset, buf));
    if (n == 0) return Status::Corruption(path + ": EWF media ended at " + std::to_string(offset) + " of " +
                                          std::to_string(ewf->size()) + " bytes");
    digester.Update(std::span<const std::byte>(buf.data(), n));
    offset += n;
  }
  const hashing::DigestValues d = digester.Finish();
  out.bytes_hashed = offset;
  out.md5 = *d.md5;
  out.sha1 = *d.sha1;
  const internal::EwfStoredHashes stored = ewf->StoredHashes();
  out.stored_md5 = stored.md5;
  out.stored_sha1 = stored.sha1;
  if (!stored.md5 && !stored.sha1) {
    out.check = StoredHashCheck::kNoStoredHash;
  } else if ((stored.md5 && *stored.md5 != out.md5) || (stored.sha1 && *stored.sha1 != out.sha1)) {
    out.check = StoredHashCheck::kMismatch;
  } else {
    out.check = StoredHashCheck::kVerified;
  }
  return out;
}

}  // namespace hashtriage::ingest
