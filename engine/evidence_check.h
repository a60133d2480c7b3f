// Evidence checks around a scan (forensic soundness: the original is never changed, and a result says
// so): RecordEvidenceBaseline notes what the evidence looked like when its scan started, and
// VerifyEvidenceAtEnd checks, when the scan ends, that it is still exactly that. A single file (archive,
// disk image, E01, UFDR) is compared by its metadata (device, inode, size, mtime and ctime to the
// nanosecond) and, up to a size threshold, re-hashed and compared with the MD5/SHA-1 taken at the start;
// a directory tree by a SHA-256 over every entry's relative path, type, size, inode, mtime and ctime
// (never atime, never content). Walks never follow symlinks and open directories with O_NOATIME.
// Pure functions over the file system; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hashing/status.h"
#include "ingest/evidence_integrity.h"

namespace hashtriage::engine {

// Persistent format: stored in the evidence record as "baseline" (ToJson / FromJson).
struct EvidenceBaseline {
  std::string kind;  // "file" or "tree"
  // The evidence path itself (for a tree, its root directory).
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  // kind "tree": SHA-256 (hex) over the entries in walk order, and how many there were.
  std::string tree_sha256;
  std::uint64_t tree_entries = 0;

  nlohmann::json ToJson() const;
  static Result<EvidenceBaseline> FromJson(const nlohmann::json& j);
};

Result<EvidenceBaseline> RecordEvidenceBaseline(const std::string& path);

struct EvidenceVerification {
  std::string state;   // "yes": unchanged; "changed": it differs (an error); "no": could not be checked
  std::string method;  // "metadata", "metadata+rehash" or "tree metadata"
  std::string detail;  // what changed, why it could not be checked, or what was not done

  bool changed() const { return state == "changed"; }
  nlohmann::json ToJson() const;
};

// Compares the evidence now with `baseline`. For kind "file", when `start_hash` is given (the MD5/SHA-1
// recorded when the scan started) and the evidence is at most `rehash_max_bytes`, it is read again
// and its hashes compared; larger evidence is compared by metadata only (a second full read of a
// multi-terabyte image would double the scan's I/O) and `detail` says so.
EvidenceVerification VerifyEvidenceAtEnd(const std::string& path, const EvidenceBaseline& baseline,
                                         const ingest::EvidenceIntegrity* start_hash,
                                         std::uint64_t rehash_max_bytes);

}  // namespace hashtriage::engine
