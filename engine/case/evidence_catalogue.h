// EvidenceCatalogue: the evidence items of a case and the file records of each. An evidence item is
// one source scanned with one set of record-changing settings, recognised by its content fingerprint
// (engine/scan/evidence_fingerprint.h), never by its path alone: the same path holding other content
// is other evidence. A file record holds an item's provenance and metadata, digests, every query
// hash it produced (for re-matching) and its hits. The catalogue alone knows how these are stored.
// Threads: reads from any thread; writes through a CaseTransaction (one thread at a time).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/matching/hit.h"
#include "engine/matching/index_stamp.h"
#include "engine/matching/query_hashes.h"
#include "engine/scan/evidence_fingerprint.h"
#include "hashing/digests.h"
#include "hashing/image_format.h"
#include "index/category.h"
#include "ingest/item.h"

namespace hashtriage::engine {

// The scan options that change records: two scans of one fingerprint with equal settings produce the
// same records, so a finished one is not repeated and an interrupted one is resumed.
struct ScanSettings {
  std::string type;          // source type asked for ("auto", "directory", ...)
  std::string evidence_id;   // --evidence-id override, "" = the source's own name
  bool archives = true;
  int max_archive_depth = 4;
  bool deleted = true;
  int threshold = 31;
  bool dihedral = true;
  int region_cells = 7;
  std::uint64_t max_pixels = 0;
  std::uint64_t max_image_bytes = 0;
  bool carve = true;                 // disk images: pictures carved from unallocated space
  std::uint64_t max_carve_bytes = 0;  // per volume
  bool thumbnails = true;            // JPEGs' embedded thumbnails as items
  bool video = true;                 // videos' frames hashed (vPDQ) and matched
  double video_seconds_per_frame = 1;
  double vpdq_query_match = 0;       // vPDQ thresholds, percent
  double vpdq_target_match = 50;
  bool geometric = true;             // library mode's geometric stage allowed (--no-geometric: off)
  // Canonical text of every field (what the resume identity is built from).
  std::string Key() const;
  friend bool operator==(const ScanSettings&, const ScanSettings&) = default;
};

// Persistent format: the names are stored. Append only.
enum class EvidenceStatus : std::uint8_t { kRunning = 0, kComplete = 1, kIncomplete = 2 };
std::string_view EvidenceStatusName(EvidenceStatus status);

// Match counts for one category.
struct CategoryCounts {
  std::uint64_t exact = 0;  // files with an exact (md5/sha1/sha256) hit in the category
  std::uint64_t near = 0;   // files with only near hits in the category
  friend bool operator==(const CategoryCounts&, const CategoryCounts&) = default;
};

struct EvidenceCounts {
  std::uint64_t files = 0;   // regular files examined (carved pictures included, embedded thumbnails not)
  std::uint64_t images = 0;  // of those, decoded images
  std::uint64_t carved = 0;      // of the files, pictures carved from unallocated space
  std::uint64_t thumbnails = 0;  // embedded thumbnails examined (items of their parent files)
  std::uint64_t videos = 0;      // of the files, videos whose frames were hashed
  std::uint64_t video_frames = 0;  // frames hashed (kept after collapsing) over those videos
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;  // items that could not be read, decoded or matched
  std::uint64_t files_with_hits = 0;
  // Images hashed without region cells (region matching against library sets needs a re-scan).
  std::uint64_t images_without_region_cells = 0;  // AwaitsRegionCells
  std::array<CategoryCounts, index::kCategoryCount> by_category{};
  friend bool operator==(const EvidenceCounts&, const EvidenceCounts&) = default;
};

// The evidence file's own hashes (single-file evidence), taken alongside the scan.
struct EvidenceIntegrityRecord {
  bool computed = false;
  std::string md5, sha1;
  std::uint64_t bytes = 0;
  std::string stored_hash_check;  // ingest::StoredHashCheckName: E01 stored hashes "verified", "mismatch"...
  std::string not_computed;       // why not, when !computed
  std::string Text() const;       // "md5 ..., sha1 ... (stored hashes: verified)" or "no single-file hash (...)"
};

// One re-match of the evidence's stored query hashes against a newer index.
struct RematchRecord {
  std::int64_t at = 0;          // command clock
  std::string index_digest;     // the index it was matched against
  std::uint64_t hits_gained = 0;
  std::uint64_t hits_lost = 0;
  std::uint64_t files_changed = 0;
};

struct EvidenceRecord {
  std::uint32_t number = 0;
  std::string id;               // the name shown (the source's name; "name#N" when the case has another)
  std::string source;           // as given on the command line
  std::string source_absolute;
  std::string type;             // the detected source type ("directory", "ewf", ...)
  ScanSettings settings;
  EvidenceFingerprint fingerprint;  // taken when the first run of the scan started
  std::string subject;          // attached subject ("" = none)
  std::string examiner;
  std::string submitted_by;     // the station that scanned it and submitted the records ("" = scanned here)
  std::string tool_version;
  std::int64_t started = 0;     // command clock (--now) of the first run
  std::int64_t started_utc = 0; // the real clock
  std::int64_t finished = 0;
  std::int64_t finished_utc = 0;
  EvidenceStatus status = EvidenceStatus::kRunning;
  std::string error;            // why the scan is incomplete
  EvidenceIntegrityRecord integrity;
  EvidenceVerification verified_at_end;  // state "" until the scan ended
  EvidenceCounts counts;
  // The index the hits of this evidence reflect (scan, then every re-match). Empty digest: no index.
  IndexStamp matched_against;
  std::vector<RematchRecord> rematches;
  // The library feature sets (name -> generation) whose pictures this evidence's pictures were compared
  // with by the geometric stage, which needs the pictures themselves: a re-match from stored hashes
  // never adds to it, a scan of the evidence does (engine/scan/geometric_recheck.h).
  std::map<std::string, std::uint32_t> geometric_checked;

  bool complete() const { return status == EvidenceStatus::kComplete; }
};

struct FileRecord {
  std::uint32_t evidence = 0;
  std::uint64_t seq = 0;  // enumeration order within the evidence
  ingest::ItemInfo info;
  std::optional<std::uint64_t> size_read;  // bytes actually hashed
  hashing::DigestValues digests;
  // Decoded images: what was decoded. Absent for anything else.
  struct Image {
    hashing::ImageFormat format = hashing::ImageFormat::kUnknown;
    int width = 0;
    int height = 0;
    hashing::PdqHash pdq;
    int quality = 0;
    friend bool operator==(const Image&, const Image&) = default;
  };
  std::optional<Image> image;
  // Videos: what was decoded. Absent for anything else; the frame hashes are in `query.video_frames`.
  struct Video {
    std::string container;
    std::string codec;
    int width = 0;
    int height = 0;
    double fps = 0;
    double duration = 0;  // declared, seconds
    std::int64_t frames_decoded = 0;
    std::int64_t frames_sampled = 0;
    friend bool operator==(const Video&, const Video&) = default;
  };
  std::optional<Video> video;
  // Every query hash the file produced (its perceptual part; digests are above).
  QueryHashes query;
  std::vector<Hit> hits;
  std::string error;  // "" when the item was fully processed
};

// A decoded picture (an embedded or cached thumbnail too) matched without error and without any hit: what
// a scan of the same evidence reads again when the index gained what stored hashes cannot apply
// (engine/scan/geometric_recheck.h), and what `rematch` counts as not yet compared.
bool AwaitsPictureRecheck(const FileRecord& record);
// Of those, one without region cells (its scan's index had no library sets) that can have them.
bool AwaitsRegionCells(const FileRecord& record);

// Adds one record's contribution to the counts (a file counts once per category: exact if any exact
// hit is in that category, else near).
void CountFileRecord(const FileRecord& record, EvidenceCounts& counts);

class EvidenceCatalogue {
 public:
  virtual ~EvidenceCatalogue() = default;

  virtual Result<std::optional<EvidenceRecord>> Get(std::uint32_t number) const = 0;
  // Every evidence item, by number.
  virtual Result<std::vector<EvidenceRecord>> List() const = 0;
  // The evidence item scanned from `source_absolute` with `settings` whose fingerprint is `fingerprint`.
  virtual Result<std::optional<std::uint32_t>> Find(const std::string& source_absolute, const ScanSettings& settings,
                                                    const EvidenceFingerprint& fingerprint) const = 0;
  // Evidence attached to any of these subject ids, by number.
  virtual Result<std::vector<EvidenceRecord>> ForSubjects(const std::vector<std::string>& subject_ids) const = 0;
  // Stores the record (new or changed) and keeps the lookups above in step.
  virtual Status Put(CaseTransaction& txn, const EvidenceRecord& record) = 0;

  // Items of evidence `number` committed so far: the next item sequence a resumed scan starts at.
  virtual Result<std::uint64_t> ResumePoint(std::uint32_t number) const = 0;
  virtual void SetResumePoint(CaseTransaction& txn, std::uint32_t number, std::uint64_t next_seq) = 0;
  // Stores a new file record.
  virtual void PutFile(CaseTransaction& txn, const FileRecord& record) = 0;
  // Stores a changed file record (its hits may have gone: re-matching).
  virtual void ReplaceFile(CaseTransaction& txn, const FileRecord& record) = 0;
  // Visits the file records of evidence `number` (0: of every evidence item) in order until `visit`
  // returns false. `with_hits_only` skips records without hits cheaply.
  virtual Status ForEachFile(std::uint32_t number, bool with_hits_only,
                             const std::function<bool(const FileRecord&)>& visit) const = 0;
};

}  // namespace hashtriage::engine
