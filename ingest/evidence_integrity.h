// Evidence integrity: the MD5 and SHA-1 of an evidence file itself, for the chain of custody. For an
// archive, UFDR, raw image or single file that is the digest of the file's bytes; for EWF (E01) it is the
// digest of the acquired media, which is also compared with the hashes stored in the E01 at acquisition.
// Reads the whole evidence once, read-only, with its own handles: it may run on another thread while a
// source over the same evidence is being enumerated. Directories have no single digest (NotSupported).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/digest_types.h"
#include "hashing/status.h"
#include "ingest/source_options.h"

namespace hashtriage::ingest {

// Persistent format. Append only.
enum class StoredHashCheck : std::uint8_t {
  kNotApplicable = 0,  // not an EWF image
  kNoStoredHash = 1,   // EWF without stored MD5/SHA-1
  kVerified = 2,       // every stored hash equals the computed one
  kMismatch = 3,       // some stored hash differs: the image is damaged or was altered
};
std::string_view StoredHashCheckName(StoredHashCheck check);

struct EvidenceIntegrity {
  SourceType type = SourceType::kFile;
  std::uint64_t bytes_hashed = 0;  // file size, or media size for EWF
  hashing::Md5Digest md5;
  hashing::Sha1Digest sha1;
  std::optional<hashing::Md5Digest> stored_md5;    // EWF only, when recorded at acquisition
  std::optional<hashing::Sha1Digest> stored_sha1;  // EWF only, when recorded at acquisition
  StoredHashCheck check = StoredHashCheck::kNotApplicable;
};

// type kAuto detects it as OpenEvidenceSource does.
Result<EvidenceIntegrity> ComputeEvidenceIntegrity(const std::string& path, SourceType type = SourceType::kAuto);

}  // namespace hashtriage::ingest
