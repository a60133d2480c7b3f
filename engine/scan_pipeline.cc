#include "engine/scan_pipeline.h"

#include <signal.h>
#include <sys/stat.h>
#include <tbb/concurrent_hash_map.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>

#include "engine/audit_log.h"
#include "engine/evidence_check.h"
#include "engine/file_hashing.h"
#include "engine/file_record.h"
#include "engine/record_codec.h"
#include "engine/time_util.h"
#include "engine/known_matching.h"
#include "index/region_matcher.h"
#include "ingest/evidence_integrity.h"
#include "ingest/evidence_source.h"

namespace hashtriage::engine {

namespace {

// Bytes of item content in flight. The enumeration stage waits for room before handing an item on;
// a single item larger than the whole budget is let through alone.
class MemoryBudget {
 public:
  explicit MemoryBudget(std::uint64_t limit) : limit_(limit) {}
  std::uint64_t Acquire(std::uint64_t want) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t take = std::min(want, limit_);
    // Holders are always items being hashed on other threads, so waiting cannot deadlock; the timeout
    // only guards against a scheduler that parks those items behind us.
    for (int waited = 0; in_use_ > 0 && in_use_ + take > limit_ && waited < 100; ++waited) {
      freed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    in_use_ += take;
    return take;
  }
  void Release(std::uint64_t n) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      in_use_ -= n;
    }
    freed_.notify_all();
  }

 private:
  std::uint64_t limit_;
  std::uint64_t in_use_ = 0;
  std::mutex mutex_;
  std::condition_variable freed_;
};

// What is computed once per distinct content: PDQ and every match.
struct ContentResult {
  std::optional<hashing::ImageHashes> image;
  std::string image_error;
  std::vector<Hit> hits;
};

struct Xxh3Key {
  std::size_t hash(const hashing::Xxh3Digest& d) const { return hashing::DigestHasher()(d); }
  bool equal(const hashing::Xxh3Digest& a, const hashing::Xxh3Digest& b) const { return a == b; }
};
using ContentCache = tbb::concurrent_hash_map<hashing::Xxh3Digest, ContentResult, Xxh3Key>;

struct Job {
  std::uint64_t seq = 0;
  ingest::Item item;
  std::uint64_t budget = 0;
  FileRecord record;
  bool is_image = false;
};

// The identity of a scan for resuming: the evidence's absolute path and every option that changes
// the records.
std::string ScanIdentity(const std::string& source, const ScanOptions& o) {
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(source, ec).lexically_normal().string();
  nlohmann::json j{{"source", absolute},
                   {"type", std::string(ingest::SourceTypeName(o.source.type))},
                   {"evidence_id", o.source.evidence_id},
                   {"archives", o.source.recurse_into_archives},
                   {"depth", o.source.max_archive_depth},
                   {"deleted", o.source.include_deleted},
                   {"threshold", o.pdq_threshold},
                   {"dihedral", o.dihedral},
                   {"region_cells", o.region_min_cells},
                   {"max_pixels", o.image.decode.max_pixels},
                   {"max_image_bytes", o.max_image_bytes},
                   {"subject", o.subject}};
  return j.dump();
}

// Reads, digests, decodes and matches one item. Never throws.
void ProcessItem(Job& job, const index::KnownIndex* index, const ScanOptions& options, ContentCache& cache) {
  FileRecord& rec = job.record;
  if (job.item.info.kind != ingest::ItemKind::kFile || !job.item.info.status.ok() || !job.item.reader) {
    if (!job.item.info.status.ok()) rec.error = job.item.info.status.message();
    return;
  }
  FileHashRequest request;
  request.digests = hashing::DigestSet::All();
  request.pdq = true;
  request.image = options.image;
  request.max_image_bytes = options.max_image_bytes;
  request.image.dihedral = options.dihedral;
  // Identical content (same XXH3-128) is decoded and matched once per scan.
  request.should_decode = [&cache](const hashing::DigestValues& d) {
    ContentCache::const_accessor known;
    return !cache.find(known, *d.xxh3);
  };
  ingest::ByteReader& reader = *job.item.reader;
  auto hashed = HashStream([&reader](std::span<std::byte> out) { return reader.Read(out); }, request);
  job.item.reader.reset();
  if (!hashed.ok()) {
    rec.error = hashed.status().message();
    return;
  }
  FileHashes& h = *hashed;
  rec.size_read = h.size;
  rec.digests = h.digests;

  // The first thread to insert a content computes its matches while holding the entry; others with
  // the same content wait for it and reuse the result.
  ContentCache::accessor slot;
  if (cache.insert(slot, *h.digests.xxh3)) {
    ContentResult& result = slot->second;
    result.image = h.image;
    if (result.image) {  // records keep the plain PDQ
      result.image->dihedral.reset();
      result.image->variants.clear();
      result.image->region = {};
    }
    if (!h.status.ok()) result.image_error = h.status.message();
    if (index != nullptr) {
      result.hits = MatchExact(*index, h.digests);
      if (h.image) {
        auto near = MatchPerceptual(*index, *h.image, {options.pdq_threshold, options.region_min_cells});
        result.hits.insert(result.hits.end(), near.begin(), near.end());
      }
    }
  }
  const ContentResult& result = slot->second;
  rec.image = result.image;
  rec.hits = result.hits;
  rec.error = result.image_error;
  job.is_image = rec.image.has_value();
}

}  // namespace

std::uint64_t ScanSummary::TotalErrors() const {
  std::uint64_t n = 0;
  for (const auto& e : evidence) n += e.errors;
  return n;
}

bool ScanSummary::AnyIndecentMatch() const {
  for (const auto& e : evidence) {
    for (int c = 0; c < index::kCategoryCount; ++c) {
      if (IsIndecent(static_cast<index::Category>(c)) && (e.by_category[c].exact + e.by_category[c].near) > 0) {
        return true;
      }
    }
  }
  return false;
}

namespace {

// Adds one record's contribution to the evidence summary.
void Count(const FileRecord& rec, EvidenceSummary& s) {
  if (rec.info.kind == ingest::ItemKind::kFile) {
    ++s.files;
    s.bytes += rec.size_read.value_or(0);
  }
  if (rec.image) ++s.images;
  if (!rec.error.empty()) ++s.errors;
  if (rec.hits.empty()) return;
  ++s.files_with_hits;
  // Per category, a file counts once: as exact if any exact hit is in that category, else as near.
  std::array<int, index::kCategoryCount> kind{};  // 0 none, 1 near, 2 exact
  for (const Hit& h : rec.hits) {
    const int level = IsNearMatchKind(h.kind) ? 1 : 2;  // pdq, pdq-trimmed, region: near
    int& k = kind[static_cast<int>(h.category)];
    k = std::max(k, level);
  }
  for (int c = 0; c < index::kCategoryCount; ++c) {
    if (kind[c] == 2) ++s.by_category[c].exact;
    if (kind[c] == 1) ++s.by_category[c].near;
  }
}

Result<FileRecord> RecordFromStored(std::string_view value) {
  HT_ASSIGN_OR_RETURN(nlohmann::json j, DecodeRecord(value));
  FileRecord rec;
  rec.info.kind = j.value("kind", "file") == "file" ? ingest::ItemKind::kFile : ingest::ItemKind::kSpecial;
  if (!j["size_read"].is_null()) rec.size_read = j.value("size_read", std::uint64_t{0});
  if (!j["pdq"].is_null()) rec.image = hashing::ImageHashes{};
  rec.error = j["error"].is_null() ? "" : j.value("error", "");
  for (const auto& h : j["hits"]) {
    Hit hit;
    hit.kind = h.value("kind", "");
    hit.category = index::ParseCategory(h.value("category", "unknown")).value_or(index::Category::kUnknown);
    rec.hits.push_back(hit);
  }
  return rec;
}

// Stored form of a record: the export JSON plus what resuming needs.
std::string StoredRecord(const FileRecord& rec, const std::string& evidence_id) {
  nlohmann::ordered_json j = rec.ToJson(evidence_id);
  j["size_read"] = rec.size_read ? nlohmann::ordered_json(*rec.size_read) : nlohmann::ordered_json(nullptr);
  return EncodeRecord(nlohmann::json(j));
}

// Test hooks for the crash-consistency tests: HASHTRIAGE_TEST_KILL_AT_ITEM=N makes the process SIGKILL
// itself when item N reaches the writer (its batch not yet committed); HASHTRIAGE_TEST_COMMIT_EVERY
// sets the batch size so kills land before and after commits.
std::int64_t KillAtItem() {
  const char* env = std::getenv("HASHTRIAGE_TEST_KILL_AT_ITEM");
  return env ? std::atoll(env) : -1;
}

// The scan's source options: archive entries held in memory while enumerating are bounded by the
// memory budget (an eighth of it; larger entries spill to anonymous files in the case directory's
// scratch/, which is created 0700 and never holds a named file).
ingest::SourceOptions EffectiveSourceOptions(const ScanOptions& options, const CaseStore& store) {
  ingest::SourceOptions source = options.source;
  source.max_in_memory_entry_bytes = std::min(source.max_in_memory_entry_bytes, options.memory_budget / 8);
  if (source.scratch_dir.empty() && !store.read_only()) {
    const std::string scratch = store.path() + "/scratch";
    if (::mkdir(scratch.c_str(), 0700) == 0 || errno == EEXIST) source.scratch_dir = scratch;
  }
  return source;
}

Result<EvidenceSummary> ScanOne(CaseStore& store, const index::KnownIndex* index, const std::string& source,
                                const ScanOptions& options, std::int64_t now, Progress& progress) {
  EvidenceSummary summary;
  summary.source = source;
  const std::string identity = ScanIdentity(source, options);
  HT_ASSIGN_OR_RETURN(auto existing, store.Get(Table::kEvidenceKey, identity));
  nlohmann::json evidence;
  if (existing) {
    summary.number = DecodeU32(*existing);
    HT_ASSIGN_OR_RETURN(auto stored, store.Get(Table::kEvidence, EncodeU32(summary.number)));
    if (!stored) return Status::Corruption("evidence record " + std::to_string(summary.number) + " is missing");
    HT_ASSIGN_OR_RETURN(evidence, DecodeRecord(*stored));
  } else {
    HT_ASSIGN_OR_RETURN(std::uint64_t number, store.NextId("evidence"));
    summary.number = static_cast<std::uint32_t>(number);
  }

  // What the evidence looks like now, before anything is read, to be verified when the scan ends
  // (engine/evidence_check.h); a resumed scan verifies against the first run's baseline.
  std::optional<EvidenceBaseline> baseline;
  if (existing && evidence.contains("baseline")) {
    auto stored = EvidenceBaseline::FromJson(evidence["baseline"]);
    if (stored.ok()) baseline = *stored;
  }
  if (!baseline && !(existing && evidence.value("status", "") == "complete")) {
    HT_ASSIGN_OR_RETURN(baseline, RecordEvidenceBaseline(source));
  }

  HT_ASSIGN_OR_RETURN(std::unique_ptr<ingest::EvidenceSource> src,
                      ingest::OpenEvidenceSource(source, EffectiveSourceOptions(options, store)));
  summary.id = src->evidence_id();
  summary.type = std::string(ingest::SourceTypeName(src->type()));

  // Resume point and the counts of what earlier runs committed.
  std::uint64_t resume_from = 0;
  HT_ASSIGN_OR_RETURN(auto progress_value, store.Get(Table::kProgress, EncodeU32(summary.number)));
  if (progress_value) resume_from = DecodeU64(*progress_value);
  if (existing && evidence.value("status", "") == "complete") {
    summary.already_complete = true;
  }
  if (resume_from > 0) {
    HT_RETURN_IF_ERROR(store.Scan(Table::kFiles, EncodeU32(summary.number), [&](std::string_view, std::string_view v) {
      auto rec = RecordFromStored(v);
      if (rec.ok()) Count(*rec, summary);
      return true;
    }));
  }
  if (summary.already_complete) {
    summary.integrity = evidence.value("integrity_text", "");
    summary.verified_at_end = evidence.contains("verified_at_end") ? evidence["verified_at_end"].value("state", "") : "";
    summary.verification = evidence.contains("verified_at_end") ? evidence["verified_at_end"].value("detail", "") : "";
    return summary;
  }
  summary.resumed = resume_from > 0;
  summary.resumed_from = resume_from;

  if (!existing) {
    evidence = nlohmann::json{{"number", summary.number},
                              {"id", summary.id},
                              {"source", source},
                              {"identity", identity},
                              {"type", summary.type},
                              {"subject", options.subject},
                              {"examiner", options.examiner.empty() ? DefaultActor() : options.examiner},
                              {"tool_version", HASHTRIAGE_VERSION},
                              {"started", FormatIso8601(now)},
                              {"status", "running"},
                              {"baseline", baseline->ToJson()}};
    CaseStore::Batch batch;
    batch.Put(Table::kEvidence, EncodeU32(summary.number), EncodeRecord(evidence));
    batch.Put(Table::kEvidenceKey, identity, EncodeU32(summary.number));
    HT_RETURN_IF_ERROR(store.Write(batch));
  } else if (!evidence.contains("baseline")) {
    evidence["baseline"] = baseline->ToJson();
    HT_RETURN_IF_ERROR(store.Put(Table::kEvidence, EncodeU32(summary.number), EncodeRecord(evidence)));
  }

  // The evidence's own hashes, computed alongside the scan with separate read-only handles.
  auto integrity = std::async(std::launch::async, [source, type = src->type()] {
    return ingest::ComputeEvidenceIntegrity(source, type);
  });

  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  MemoryBudget budget(options.memory_budget);
  ContentCache cache;
  std::uint64_t next_seq = 0;
  Status enumeration_status;
  Status write_status;
  CaseStore::Batch batch;
  std::uint64_t last_seq_in_batch = 0;
  const std::int64_t kill_at = KillAtItem();
  int commit_every = options.commit_every;
  if (const char* env = std::getenv("HASHTRIAGE_TEST_COMMIT_EVERY")) commit_every = std::max(1, std::atoi(env));
  const std::string evidence_id = summary.id;

  auto commit = [&](std::uint64_t next) {
    if (batch.size() == 0 || !write_status.ok()) return;
    batch.Put(Table::kProgress, EncodeU32(summary.number), EncodeU64(next));
    write_status = store.Write(batch);
    batch = CaseStore::Batch();
  };

  tbb::parallel_pipeline(
      static_cast<std::size_t>(threads) * std::max(1, options.tokens_per_thread),
      tbb::make_filter<void, std::shared_ptr<Job>>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> std::shared_ptr<Job> {
            while (true) {
              if (!enumeration_status.ok() || !write_status.ok()) {
                fc.stop();
                return nullptr;
              }
              auto next = src->Next();
              if (!next.ok()) {
                enumeration_status = next.status();
                fc.stop();
                return nullptr;
              }
              if (!next->has_value()) {
                fc.stop();
                return nullptr;
              }
              const std::uint64_t seq = next_seq++;
              if (seq < resume_from) continue;  // committed by an earlier run
              auto job = std::make_shared<Job>();
              job->seq = seq;
              job->item = std::move(**next);
              job->budget = budget.Acquire(job->item.info.kind == ingest::ItemKind::kFile ? job->item.info.size : 0);
              return job;
            }
          }) &
          tbb::make_filter<std::shared_ptr<Job>, std::shared_ptr<Job>>(
              tbb::filter_mode::parallel,
              [&](std::shared_ptr<Job> job) {
                job->record.evidence = summary.number;
                job->record.seq = job->seq;
                job->record.info = job->item.info;
                ProcessItem(*job, index, options, cache);
                budget.Release(job->budget);
                job->budget = 0;
                return job;
              }) &
          tbb::make_filter<std::shared_ptr<Job>, void>(
              tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Job> job) {
                if (kill_at >= 0 && static_cast<std::int64_t>(job->seq) == kill_at) ::kill(::getpid(), SIGKILL);
                batch.Put(Table::kFiles, EncodeU32(summary.number) + EncodeU64(job->seq),
                          StoredRecord(job->record, evidence_id));
                last_seq_in_batch = job->seq;
                Count(job->record, summary);
                if (progress.enabled()) {
                  progress.SetDetail(std::to_string(summary.images) + " images, " +
                                     std::to_string(summary.files_with_hits) + " with hits");
                }
                progress.Advance(job->record.info.kind == ingest::ItemKind::kFile ? 1 : 0,
                                 job->record.size_read.value_or(0));
                if (static_cast<int>(batch.size()) >= commit_every) commit(job->seq + 1);
              }));
  if (batch.size() > 0) commit(last_seq_in_batch + 1);
  HT_RETURN_IF_ERROR(write_status);

  auto integrity_result = integrity.get();
  nlohmann::json integrity_json;
  if (integrity_result.ok()) {
    const auto& ir = *integrity_result;
    integrity_json = {{"md5", ir.md5.hex()},
                      {"sha1", ir.sha1.hex()},
                      {"bytes", ir.bytes_hashed},
                      {"stored_hash_check", std::string(ingest::StoredHashCheckName(ir.check))}};
    summary.integrity = "md5 " + ir.md5.hex() + ", sha1 " + ir.sha1.hex();
    if (ir.check != ingest::StoredHashCheck::kNotApplicable) {
      summary.integrity += " (stored hashes: " + std::string(ingest::StoredHashCheckName(ir.check)) + ")";
    }
    if (ir.check == ingest::StoredHashCheck::kMismatch) ++summary.errors;
  } else {
    integrity_json = {{"not_computed", integrity_result.status().message()}};
    summary.integrity = "no single-file hash (" + integrity_result.status().message() + ")";
  }

  // The evidence must be what it was when the scan started: a change is an error of the scan.
  const EvidenceVerification verification = VerifyEvidenceAtEnd(
      source, *baseline, integrity_result.ok() ? &*integrity_result : nullptr, options.rehash_evidence_max_bytes);
  summary.verified_at_end = verification.state;
  summary.verification = verification.detail;
  if (verification.changed()) ++summary.errors;

  evidence["integrity"] = integrity_json;
  evidence["integrity_text"] = summary.integrity;
  evidence["verified_at_end"] = verification.ToJson();
  evidence["finished"] = FormatIso8601(now);
  evidence["files"] = summary.files;
  evidence["images"] = summary.images;
  evidence["bytes"] = summary.bytes;
  evidence["errors"] = summary.errors;
  evidence["files_with_hits"] = summary.files_with_hits;
  if (!enumeration_status.ok()) {
    // The source could not go on (e.g. the disk image became unreadable): recorded, and the scan can
    // be re-run to retry from the resume point.
    evidence["status"] = "incomplete";
    evidence["error"] = enumeration_status.message();
  } else {
    evidence["status"] = "complete";
  }
  HT_RETURN_IF_ERROR(store.Put(Table::kEvidence, EncodeU32(summary.number), EncodeRecord(evidence)));
  if (!enumeration_status.ok()) summary.failure = enumeration_status.message();
  return summary;
}

}  // namespace

Result<ScanSummary> RunScan(CaseStore& store, const index::KnownIndex* index, const std::vector<std::string>& sources,
                            const ScanOptions& options, std::int64_t now, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  ScanSummary summary;
  // Region hashes cost ~2 ms per image: only when a library-mode index can match them.
  ScanOptions effective = options;
  if (index != nullptr && index::HasRegionSets(*index)) effective.image.region_hashes = true;
  for (const std::string& source : sources) {
    auto one = ScanOne(store, index, source, effective, now, progress);
    if (one.ok()) {
      summary.evidence.push_back(std::move(one).value());
      continue;
    }
    // One evidence source that cannot be opened or read does not stop the others.
    EvidenceSummary failed;
    failed.source = source;
    failed.failure = one.status().message();
    failed.errors = 1;
    summary.evidence.push_back(std::move(failed));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace hashtriage::engine
