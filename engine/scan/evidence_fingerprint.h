// EvidenceFingerprint: what one piece of evidence is, taken before a scan reads it, so that the case
// recognises evidence by its content and not by its path (a second phone extracted to the same folder
// is new evidence), and so that the scan can prove at its end that the evidence did not change.
// A single file (archive, disk image, E01, UFDR) is fingerprinted by device, inode, size, mtime and
// ctime to the nanosecond and a SHA-256 of its first and last MiB; a directory tree by a SHA-256 over
// every entry's relative path, type, size, inode, mtime and ctime (never atime, never content).
// VerifyEvidenceAtEnd compares the evidence with its fingerprint when a scan ends and, up to a size
// threshold, re-hashes single-file evidence. Walks never follow symlinks and open directories and
// files with O_NOATIME. Pure functions over the file system; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "hashing/status.h"
#include "ingest/evidence_integrity.h"

namespace hashtriage::engine {

struct EvidenceFingerprint {
  std::string kind;  // "file" or "tree"
  // The evidence path itself (for a tree, its root directory).
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  // kind "file": SHA-256 (hex) over the first MiB and the last MiB (the whole file when smaller).
  std::string head_tail_sha256;
  // kind "tree": SHA-256 (hex) over the entries in walk order, and how many there were.
  std::string tree_sha256;
  std::uint64_t tree_entries = 0;

  // A short stable name of the fingerprint (the first 16 hex digits of a SHA-256 over every field).
  std::string Id() const;
  // One line for people: "directory, 1,204 entries, listing sha256 1a2b3c4d..." or
  // "file, 4,096,000 bytes, inode 1234, modified 2026-11-20T10:00:00Z, head/tail sha256 ...".
  std::string Describe() const;
  friend bool operator==(const EvidenceFingerprint&, const EvidenceFingerprint&) = default;
};

Result<EvidenceFingerprint> TakeEvidenceFingerprint(const std::string& path);

struct EvidenceVerification {
  std::string state;   // "yes": unchanged; "changed": it differs (an error); "no": could not be checked
  std::string method;  // "metadata", "metadata+rehash" or "tree metadata"
  std::string detail;  // what changed, why it could not be checked, or what was not done

  bool changed() const { return state == "changed"; }
};

// Compares the evidence now with `fingerprint`. For kind "file", when `start_hash` is given (the
// MD5/SHA-1 recorded when the scan started) and the evidence is at most `rehash_max_bytes`, it is read
// again and its hashes compared; larger evidence is compared by metadata and head/tail hash only (a
// second full read of a multi-terabyte image would double the scan's I/O) and `detail` says so.
EvidenceVerification VerifyEvidenceAtEnd(const std::string& path, const EvidenceFingerprint& fingerprint,
                                         const ingest::EvidenceIntegrity* start_hash,
                                         std::uint64_t rehash_max_bytes);

}  // namespace hashtriage::engine
