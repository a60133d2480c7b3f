#include "engine/scan/scan_pipeline.h"

#include <tbb/concurrent_hash_map.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include "engine/case/audit_log.h"
#include "engine/file_hashing.h"
#include "engine/matching/known_matcher.h"
#include "engine/scan/rematch.h"
#include "engine/subjects/rescore_hook.h"
#include "engine/subjects/subject_profiles.h"
#include "engine/time_util.h"
#include "engine/scan/geometric_recheck.h"
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

// What is computed once per distinct content: the image summary, its query hashes and every hit.
struct ContentResult {
  std::optional<FileRecord::Image> image;
  std::optional<FileRecord::Video> video;
  std::string video_error;       // the video could not be decoded, or not all of it was examined
  std::string video_anomaly;     // it ended early or had corrupt packets: what was there was hashed
  QueryHashes query;  // perceptual part
  std::string decode_error;  // the bytes were read but are not a decodable image
  std::string error;         // matching failed
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
};

ScanSettings SettingsOf(const ScanOptions& o) {
  ScanSettings s;
  s.type = std::string(ingest::SourceTypeName(o.source.type));
  s.evidence_id = o.source.evidence_id;
  s.archives = o.source.recurse_into_archives;
  s.max_archive_depth = o.source.max_archive_depth;
  s.deleted = o.source.include_deleted;
  s.threshold = o.pdq_threshold;
  s.dihedral = o.dihedral;
  s.region_cells = o.region_min_cells;
  s.max_pixels = o.image.decode.max_pixels;
  s.max_image_bytes = o.max_image_bytes;
  s.carve = o.source.carve;
  s.max_carve_bytes = o.source.max_carve_bytes;
  s.thumbnails = o.source.extract_thumbnails;
  s.video = o.video;
  s.video_seconds_per_frame = o.video_hashing.seconds_per_frame;
  s.vpdq_query_match = o.video_match.query_match;
  s.vpdq_target_match = o.video_match.target_match;
  s.geometric = o.geometric;
  return s;
}

// Hashes the frames of a video item whose bytes were just digested, reading them again through the
// same (seekable) reader.
void HashVideoContent(ingest::ByteReader& reader, hashing::VideoContainer container, const ScanOptions& options,
                      ContentResult& result) {
  auto video = hashing::HashVideo([&reader](std::span<std::byte> out) { return reader.Read(out); },
                                  [&reader](std::uint64_t offset) { return reader.Seek(offset); }, reader.size(),
                                  container, options.video_hashing);
  if (!video.ok()) {
    result.video_error = video.status().message();
    return;
  }
  result.video = FileRecord::Video{video->container, video->codec,          video->width,         video->height,
                                   video->fps,       video->duration,       video->frames_decoded, video->frames_sampled};
  result.query.video_frames = std::move(video->frames);
  // A limit reached means part of the video was never examined: an error of the scan. A video that
  // ends early (a partial download, a truncated copy) or holds corrupt packets was examined whole.
  if (video->incomplete.rfind("stopped", 0) == 0) {
    result.video_error = "video " + video->incomplete;
  } else if (!video->incomplete.empty()) {
    result.video_anomaly = "video " + video->incomplete;
  }
  if (!video->warning.empty()) {
    result.video_anomaly += (result.video_anomaly.empty() ? "video: " : "; ") + video->warning;
  }
}

// Reads, digests, decodes and matches one item. Never throws.
void ProcessItem(Job& job, const KnownMatcher* matcher, const ScanOptions& options, ContentCache& cache) {
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
  request.sniff_video = options.video;
  // Identical content (same XXH3-128) is decoded and matched once per scan.
  request.should_decode = [&cache](const hashing::DigestValues& d) {
    ContentCache::const_accessor known;
    return !cache.find(known, *d.xxh3);
  };
  ingest::ByteReader& reader = *job.item.reader;
  auto hashed = HashStream([&reader](std::span<std::byte> out) { return reader.Read(out); }, request);
  if (!hashed.ok()) {
    job.item.reader.reset();
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
    QueryHashes query = QueryFromFile(h.digests, h.image);
    if (h.image) {
      result.image = FileRecord::Image{h.image->format, h.image->width, h.image->height, h.image->pdq.hash,
                                       h.image->pdq.quality};
      result.query = query;
    }
    if (!h.status.ok()) result.decode_error = h.status.message();
    if (h.video_container != hashing::VideoContainer::kNone) {
      HashVideoContent(reader, h.video_container, options, result);
      query.video_frames = result.query.video_frames;
    }
    if (matcher != nullptr) {
      auto hits = matcher->Match(query);
      if (hits.ok()) {
        result.hits = std::move(hits).value();
      } else {
        // Never "no hits" when the index could not answer: the file is an error of the scan.
        result.error = "matching failed: " + hits.status().message();
      }
      // The geometric stage only where the cheaper ones found nothing.
      if (hits.ok() && result.hits.empty() && h.image && h.image->luma && options.geometric) {
        auto geometric = matcher->MatchGeometric(*h.image->luma);
        if (geometric.ok()) {
          result.hits = std::move(geometric).value();
        } else {
          result.error = "matching failed (geometric stage): " + geometric.status().message();
        }
      }
    }
    if (h.image) h.image->luma.reset();  // pixels no longer needed
  }
  job.item.reader.reset();
  const ContentResult& result = slot->second;
  rec.image = result.image;
  rec.video = result.video;
  rec.query = result.query;
  rec.query.md5 = rec.digests.md5;
  rec.query.sha1 = rec.digests.sha1;
  rec.query.sha256 = rec.digests.sha256;
  rec.hits = result.hits;
  rec.error = result.error;
  if (!result.video_error.empty()) rec.error += (rec.error.empty() ? "" : "; ") + result.video_error;
  if (!result.video_anomaly.empty()) {
    rec.info.anomaly += (rec.info.anomaly.empty() ? "" : "; ") + result.video_anomaly;
  }
  if (!result.decode_error.empty()) {
    // A carved candidate that does not decode is a finding about unallocated space (a fragment, an
    // overwritten picture), not a file the scan failed to examine: its bytes were digested.
    if (rec.info.carved) {
      rec.info.anomaly += (rec.info.anomaly.empty() ? "" : "; ") + std::string("not decodable: ") + result.decode_error;
    } else {
      rec.error = result.decode_error + (rec.error.empty() ? "" : "; " + rec.error);
    }
  }
}

EvidenceIntegrityRecord IntegrityRecordOf(const Result<ingest::EvidenceIntegrity>& r) {
  EvidenceIntegrityRecord out;
  if (!r.ok()) {
    out.not_computed = r.status().message();
    return out;
  }
  out.computed = true;
  out.md5 = r->md5.hex();
  out.sha1 = r->sha1.hex();
  out.bytes = r->bytes_hashed;
  out.stored_hash_check = std::string(ingest::StoredHashCheckName(r->check));
  return out;
}

class ScanRun {
 public:
  ScanRun(Case& c, const index::KnownIndex* index, const ScanOptions& options, const CommandContext& context,
          Progress& progress)
      : case_(c), index_(index), options_(options), context_(context), progress_(progress) {
    if (index_ != nullptr) {
      stamp_ = StampOf(*index_);
      matcher_.emplace(*index_, MatchOptions{options.pdq_threshold, options.region_min_cells, true, options.video_match});
    }
  }

  const IndexStamp& stamp() const { return stamp_; }
  // Subjects whose evidence gained hits without being named by --subject (a geometric re-examination).
  const std::vector<std::string>& rescore() const { return rescore_; }

  Result<EvidenceSummary> ScanOne(const std::string& source) {
    EvidenceSummary summary;
    summary.source = source;
    summary.index = stamp_;
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(source, ec).lexically_normal().string();
    const ScanSettings settings = SettingsOf(options_);
    // What the evidence is now, before anything is read: its identity in the case, and the baseline
    // the end-of-scan check compares with.
    HT_ASSIGN_OR_RETURN(summary.fingerprint, TakeEvidenceFingerprint(source));
    HT_ASSIGN_OR_RETURN(auto number, case_.evidence().Find(absolute, settings, summary.fingerprint));
    HT_ASSIGN_OR_RETURN(auto all, case_.evidence().List());
    for (const EvidenceRecord& e : all) {
      if (e.source_absolute == absolute && (!number || e.number != *number)) {
        summary.earlier_at_path.push_back({e.number, e.fingerprint.Id(), e.started});
      }
    }
    EvidenceRecord record;
    if (number) {
      HT_ASSIGN_OR_RETURN(auto stored, case_.evidence().Get(*number));
      if (!stored) return Status::Corruption("evidence record " + std::to_string(*number) + " is missing");
      record = std::move(*stored);
      HT_RETURN_IF_ERROR(AttachSubject(record));
      if (record.complete()) return Finished(record, summary);
    } else {
      HT_ASSIGN_OR_RETURN(record, NewEvidence(source, absolute, settings, summary, all));
    }
    return Hash(source, record, summary);
  }

 private:
  // A re-run with --subject attaches finished evidence to the subject (a different subject is refused).
  Status AttachSubject(EvidenceRecord& record) {
    if (options_.subject.empty() || record.subject == options_.subject) return Status::Ok();
    if (!record.subject.empty()) {
      return Status::InvalidArgument("evidence " + std::to_string(record.number) + " (" + record.source +
                                     ") is attached to subject " + record.subject + ", not " + options_.subject);
    }
    record.subject = options_.subject;
    auto txn = case_.Begin();
    HT_RETURN_IF_ERROR(case_.evidence().Put(*txn, record));
    HT_ASSIGN_OR_RETURN(auto entry, case_.audit().Append(*txn, MakeAuditEntry(context_,
                                                                              {{"action", "evidence attached"},
                                                                               {"evidence", record.number},
                                                                               {"subject", record.subject}})));
    (void)entry;
    return txn->Commit();
  }

  Result<EvidenceSummary> Finished(EvidenceRecord& record, EvidenceSummary& summary) {
    summary.number = record.number;
    summary.id = record.id;
    summary.type = record.type;
    summary.first_scanned = record.started;
    summary.integrity = record.integrity.Text();
    summary.earlier_verification = record.verified_at_end;
    summary.outcome = ScanOutcome::kAlreadyComplete;
    if (index_ != nullptr && record.matched_against.digest != stamp_.digest) {
      // The index changed since this evidence was matched: match its stored hashes again.
      summary.index_before = record.matched_against;
      HT_ASSIGN_OR_RETURN(EvidenceRematch r, RematchEvidence(case_, record.number, *index_, stamp_, context_));
      summary.outcome = ScanOutcome::kRematched;
      summary.hits_gained = r.hits_gained;
      summary.hits_lost = r.hits_lost;
      summary.files_changed = r.files_changed;
      summary.counts = r.counts;
      HT_RETURN_IF_ERROR(Recheck(record, summary));
      return summary;
    }
    summary.counts = record.counts;
    summary.index = record.matched_against;
    HT_RETURN_IF_ERROR(Recheck(record, summary));
    return summary;
  }

  // Library feature sets added since this evidence's pictures were compared need the pictures: read the
  // evidence again for those without hits (engine/scan/geometric_recheck.h). A failure is a failure of
  // this evidence's scan (never a silent "nothing found"); what existed stays.
  Status Recheck(const EvidenceRecord& stale, EvidenceSummary& summary) {
    if (index_ == nullptr) return Status::Ok();
    RecheckOptions recheck;
    recheck.geometric = options_.geometric && HasUncheckedFeatureSets(*index_, stale.geometric_checked);
    recheck.region_cells = index::HasRegionSets(*index_) && stale.counts.images_without_region_cells > 0;
    if (!recheck.geometric && !recheck.region_cells) return Status::Ok();
    HT_ASSIGN_OR_RETURN(auto fresh, case_.evidence().Get(stale.number));  // a re-match may have changed it
    if (!fresh) return Status::NotFound("no evidence " + std::to_string(stale.number));
    EvidenceRecord record = std::move(*fresh);
    recheck.image = options_.image;
    recheck.image.dihedral = options_.dihedral;
    recheck.max_image_bytes = options_.max_image_bytes;
    const SourceOpener open = [&] { return ingest::OpenEvidenceSource(summary.source, SourceOptionsFor(record)); };
    Result<GeometricRecheck> r = RecheckGeometrically(case_, record, open, *matcher_, recheck, context_);
    if (!r.ok()) {
      summary.failure = "pictures without hits not matched again for the library sets added since the scan: " + r.status().message();
      return Status::Ok();
    }
    summary.geometric_rechecked = r->pictures;
    summary.geometric_hits_gained = r->hits_gained;
    summary.counts = record.counts;
    summary.index = stamp_;
    if (r->hits_gained > 0 && !record.subject.empty()) rescore_.push_back(record.subject);
    return Status::Ok();
  }

  Result<EvidenceRecord> NewEvidence(const std::string& source, const std::string& absolute,
                                     const ScanSettings& settings, EvidenceSummary& summary,
                                     const std::vector<EvidenceRecord>& all) {
    auto txn = case_.Begin();
    HT_ASSIGN_OR_RETURN(std::uint64_t n, txn->NextId("evidence"));
    EvidenceRecord record;
    record.number = static_cast<std::uint32_t>(n);
    // The source's own name, made unique in the case ("phone#2") so exports never mix two devices.
    std::string id = options_.source.evidence_id;
    if (id.empty()) {
      HT_ASSIGN_OR_RETURN(auto probe, ingest::OpenEvidenceSource(source, options_.source));
      id = probe->evidence_id();
      record.type = std::string(ingest::SourceTypeName(probe->type()));
    }
    const bool taken = std::any_of(all.begin(), all.end(), [&](const EvidenceRecord& e) { return e.id == id; });
    record.id = taken ? id + "#" + std::to_string(record.number) : id;
    record.source = source;
    record.source_absolute = absolute;
    record.settings = settings;
    record.fingerprint = summary.fingerprint;
    record.subject = options_.subject;
    record.examiner = options_.examiner.empty() ? DefaultActor() : options_.examiner;
    record.tool_version = HASHTRIAGE_VERSION;
    record.started = context_.now;
    record.started_utc = WallClockNow();
    record.status = EvidenceStatus::kRunning;
    record.matched_against = stamp_;
    if (!options_.subject.empty()) HT_RETURN_IF_ERROR(EnsureSubjectExists(case_, *txn, options_.subject, context_.now));
    HT_RETURN_IF_ERROR(case_.evidence().Put(*txn, record));
    nlohmann::json details{{"action", "scan started"},
                           {"evidence", record.number},
                           {"id", record.id},
                           {"source", source},
                           {"fingerprint", record.fingerprint.Id()},
                           {"examiner", record.examiner},
                           {"subject", record.subject},
                           {"index", stamp_.digest}};
    HT_ASSIGN_OR_RETURN(auto entry,
                        case_.audit().Append(*txn, MakeAuditEntry(context_, std::move(details))));
    (void)entry;
    HT_RETURN_IF_ERROR(txn->Commit());
    return record;
  }

  // The scan's source options: archive entries held in memory while enumerating are bounded by the
  // memory budget (an eighth of it; larger entries spill to anonymous files in the case's scratch
  // directory, which is created 0700 and never holds a named file).
  ingest::SourceOptions SourceOptionsFor(const EvidenceRecord& record) {
    ingest::SourceOptions source = options_.source;
    source.evidence_id = record.id;
    source.max_in_memory_entry_bytes = std::min(source.max_in_memory_entry_bytes, options_.memory_budget / 8);
    if (source.scratch_dir.empty()) source.scratch_dir = case_.ScratchDirectory();
    return source;
  }

  Result<EvidenceSummary> Hash(const std::string& source, EvidenceRecord& record, EvidenceSummary& summary) {
    summary.number = record.number;
    summary.id = record.id;
    summary.first_scanned = record.started;
    HT_ASSIGN_OR_RETURN(std::unique_ptr<ingest::EvidenceSource> src,
                        ingest::OpenEvidenceSource(source, SourceOptionsFor(record)));
    summary.type = record.type = std::string(ingest::SourceTypeName(src->type()));

    // Resume point and the counts of what earlier runs committed.
    HT_ASSIGN_OR_RETURN(const std::uint64_t resume_from, case_.evidence().ResumePoint(record.number));
    if (resume_from > 0) {
      HT_RETURN_IF_ERROR(case_.evidence().ForEachFile(record.number, false, [&](const FileRecord& r) {
        CountFileRecord(r, summary.counts);
        return true;
      }));
      summary.outcome = ScanOutcome::kResumed;
      summary.resumed_from = resume_from;
    }

    // The evidence's own hashes, computed alongside the scan with separate read-only handles.
    auto integrity = std::async(std::launch::async, [source, type = src->type()] {
      return ingest::ComputeEvidenceIntegrity(source, type);
    });
    const Status enumeration_status = RunPipeline(*src, record.number, resume_from, summary);
    auto integrity_result = integrity.get();
    record.integrity = IntegrityRecordOf(integrity_result);
    summary.integrity = record.integrity.Text();
    if (integrity_result.ok() && integrity_result->check == ingest::StoredHashCheck::kMismatch) ++summary.counts.errors;
    HT_RETURN_IF_ERROR(write_status_);

    // The evidence must be what it was when the scan started: a change is an error of the scan.
    summary.verified_at_end = VerifyEvidenceAtEnd(source, record.fingerprint,
                                                  integrity_result.ok() ? &*integrity_result : nullptr,
                                                  options_.rehash_evidence_max_bytes);
    if (summary.verified_at_end.changed()) ++summary.counts.errors;
    record.verified_at_end = summary.verified_at_end;
    record.counts = summary.counts;
    record.finished = context_.now;
    record.finished_utc = WallClockNow();
    record.matched_against = stamp_;
    record.geometric_checked.clear();
    if (index_ != nullptr && options_.geometric) record.geometric_checked = FeatureSetsOf(*index_);
    if (!enumeration_status.ok()) {
      // The source could not go on (e.g. the disk image became unreadable): recorded, and the scan can
      // be re-run to retry from the resume point.
      record.status = EvidenceStatus::kIncomplete;
      record.error = enumeration_status.message();
      summary.failure = enumeration_status.message();
    } else {
      record.status = EvidenceStatus::kComplete;
      record.error.clear();
    }
    auto txn = case_.Begin();
    HT_RETURN_IF_ERROR(case_.evidence().Put(*txn, record));
    HT_RETURN_IF_ERROR(txn->Commit());
    return summary;
  }

  Status RunPipeline(ingest::EvidenceSource& src, std::uint32_t number, std::uint64_t resume_from,
                     EvidenceSummary& summary) {
    const int threads = options_.threads > 0 ? options_.threads : tbb::info::default_concurrency();
    const KnownMatcher* matcher = matcher_ ? &*matcher_ : nullptr;
    MemoryBudget budget(options_.memory_budget);
    ContentCache cache;
    std::uint64_t next_seq = 0;
    Status enumeration_status;
    write_status_ = Status::Ok();
    auto txn = case_.Begin();
    std::size_t staged = 0;
    std::uint64_t last_seq = 0;
    const TestHooks* hooks = options_.hooks;
    int commit_every = options_.commit_every;
    if (hooks != nullptr && hooks->scan_commit_every > 0) commit_every = hooks->scan_commit_every;
    auto commit = [&](std::uint64_t next) {
      if (staged == 0 || !write_status_.ok()) return;
      case_.evidence().SetResumePoint(*txn, number, next);
      write_status_ = txn->Commit();
      staged = 0;
    };

    tbb::parallel_pipeline(
        static_cast<std::size_t>(threads) * std::max(1, options_.tokens_per_thread),
        tbb::make_filter<void, std::shared_ptr<Job>>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> std::shared_ptr<Job> {
              while (true) {
                if (!enumeration_status.ok() || !write_status_.ok()) {
                  fc.stop();
                  return nullptr;
                }
                auto next = src.Next();
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
                  job->record.evidence = number;
                  job->record.seq = job->seq;
                  job->record.info = job->item.info;
                  ProcessItem(*job, matcher, options_, cache);
                  budget.Release(job->budget);
                  job->budget = 0;
                  return job;
                }) &
            tbb::make_filter<std::shared_ptr<Job>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Job> job) {
                  if (hooks != nullptr && hooks->scan_item_at_writer) hooks->scan_item_at_writer(job->seq);
                  case_.evidence().PutFile(*txn, job->record);
                  ++staged;
                  last_seq = job->seq;
                  CountFileRecord(job->record, summary.counts);
                  if (progress_.enabled()) {
                    progress_.SetDetail(std::to_string(summary.counts.images) + " images, " +
                                        std::to_string(summary.counts.files_with_hits) + " with hits");
                  }
                  progress_.Advance(job->record.info.kind == ingest::ItemKind::kFile ? 1 : 0,
                                    job->record.size_read.value_or(0));
                  if (static_cast<int>(staged) >= commit_every) commit(job->seq + 1);
                }));
    if (staged > 0) commit(last_seq + 1);
    return enumeration_status;
  }

  Case& case_;
  const index::KnownIndex* index_;
  const ScanOptions& options_;
  const CommandContext& context_;
  Progress& progress_;
  IndexStamp stamp_;
  std::optional<KnownMatcher> matcher_;
  Status write_status_;
  std::vector<std::string> rescore_;
};

nlohmann::json RunDetails(const ScanSummary& summary) {
  nlohmann::json list = nlohmann::json::array();
  for (const EvidenceSummary& e : summary.evidence) {
    static constexpr const char* kOutcomes[] = {"scanned", "resumed", "already complete", "re-matched", "failed"};
    nlohmann::json j{{"number", e.number},
                     {"id", e.id},
                     {"source", e.source},
                     {"outcome", kOutcomes[static_cast<int>(e.outcome)]},
                     {"fingerprint", e.fingerprint.Id()},
                     {"files", e.counts.files},
                     {"errors", e.errors()},
                     {"files_with_hits", e.counts.files_with_hits}};
    if (!e.failure.empty()) j["failure"] = e.failure;
    if (e.outcome == ScanOutcome::kRematched) {
      j["hits_gained"] = e.hits_gained;
      j["hits_lost"] = e.hits_lost;
    }
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"action", "scan"}, {"evidence", list}, {"index", summary.index.ToJson()},
                        {"seconds", summary.seconds}};
}

}  // namespace

std::uint64_t ScanSummary::TotalErrors() const {
  std::uint64_t n = 0;
  for (const auto& e : evidence) n += e.errors();
  return n;
}

Result<ScanSummary> RunScan(Case& c, const index::KnownIndex* index, const std::vector<std::string>& sources,
                            const ScanOptions& options, const CommandContext& context, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  ScanSummary summary;
  summary.case_location = c.location();
  summary.started_utc = WallClockNow();
  // Region hashes cost ~2 ms per image: only when a library-mode index can match them.
  ScanOptions effective = options;
  if (index != nullptr && index::HasRegionSets(*index)) effective.image.region_hashes = true;
  // Decoded pictures are kept until matched only when a library feature set can use them.
  effective.image.keep_luma = options.geometric && index != nullptr && index->HasFeatureSets();
  ScanRun run(c, index, effective, context, progress);
  summary.index = run.stamp();
  std::set<std::string> subjects;
  for (const std::string& source : sources) {
    auto one = run.ScanOne(source);
    if (one.ok()) {
      if (!options.subject.empty()) subjects.insert(options.subject);
      summary.evidence.push_back(std::move(one).value());
      continue;
    }
    // One evidence source that cannot be opened or read does not stop the others.
    EvidenceSummary failed;
    failed.source = source;
    failed.outcome = ScanOutcome::kFailed;
    failed.failure = one.status().message();
    summary.evidence.push_back(std::move(failed));
  }
  for (const std::string& subject : run.rescore()) subjects.insert(subject);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto txn = c.Begin();
  HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, RunDetails(summary))));
  (void)entry;
  HT_RETURN_IF_ERROR(txn->Commit());
  // New hits re-score the subject at once (and enter it into the queue at `now`).
  std::vector<std::string> roots;
  for (const std::string& id : subjects) {
    HT_ASSIGN_OR_RETURN(std::string root, ResolveSubjectId(c, id));
    roots.push_back(root);
  }
  HT_RETURN_IF_ERROR(subjects::RescoreChangedSubjects(c, roots, context.now));
  return summary;
}

}  // namespace hashtriage::engine
