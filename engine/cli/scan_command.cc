// `hashtriage scan SOURCE...`: hash every item of seized-device evidence into the case, match it
// against the known-image index, and print a summary (or, with --kiosk, one plain-words verdict
// screen per device for a non-specialist officer). Evidence is recognised by its content fingerprint:
// re-running a finished scan of the same content is a no-op (or a re-match when the index changed),
// re-running an interrupted one resumes it, and other content at the same path is new evidence.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "engine/progress.h"
#include "engine/scan/scan_pipeline.h"
#include "engine/scan/scan_report.h"
#include "engine/text/untrusted_text.h"
#include "index/known_index.h"
#include "ingest/source_size.h"

namespace hashtriage::cli {

namespace {

struct ScanCommandOptions {
  std::vector<std::string> sources;
  std::string case_dir;
  std::string index_dir;
  std::string now;
  std::string type = "auto";
  std::string subject;
  std::string examiner;
  bool kiosk = false;
  bool json = false;
  bool no_index = false;
  bool exact_in_memory = false;
  int threads = 0;
  std::uint64_t memory_mb = 512;
  int threshold = index::kDefaultPdqThreshold;
  int region_cells = hashing::RegionOptions{}.min_cells;
  int max_archive_depth = 4;
  std::uint64_t max_expansion_mb = 16384;
  std::uint64_t max_image_mb = 256;
  std::uint64_t rehash_max_mb = 4096;
  bool no_deleted = false;
  bool no_carve = false;
  std::uint64_t max_carve_mb = std::uint64_t{1} << 20;
  bool no_thumbnails = false;
  bool no_video = false;
  bool no_geometric = false;
  hashing::VideoHashOptions video;
  engine::VideoMatchOptions video_match;
  std::string submit_url;
  std::string token_file;
  std::string ca_cert;
  std::string command_line;
  const engine::TestHooks* hooks = nullptr;
};

}  // namespace

Result<int> RunScanCommand(const ScanCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  engine::ScanOptions options;
  options.hooks = o.hooks;
  options.subject = o.subject;
  options.examiner = o.examiner;
  options.threads = o.threads;
  options.memory_budget = o.memory_mb << 20;
  options.pdq_threshold = o.threshold;
  options.region_min_cells = o.region_cells;
  options.source.max_archive_depth = o.max_archive_depth;
  options.source.max_decompressed_bytes = o.max_expansion_mb << 20;
  options.max_image_bytes = o.max_image_mb << 20;
  options.rehash_evidence_max_bytes = o.rehash_max_mb << 20;
  options.source.include_deleted = !o.no_deleted;
  options.source.carve = !o.no_carve;
  options.source.max_carve_bytes = o.max_carve_mb << 20;
  options.source.extract_thumbnails = !o.no_thumbnails;
  options.video = !o.no_video;
  options.geometric = !o.no_geometric;
  options.video_hashing = o.video;
  options.video_match = o.video_match;
  HT_ASSIGN_OR_RETURN(options.source.type, ingest::ParseSourceType(o.type));
  if (o.threshold < 0 || o.threshold > index::kMaxPdqThreshold) {
    return Status::InvalidArgument("--threshold must be 0.." + std::to_string(index::kMaxPdqThreshold));
  }

  std::unique_ptr<index::KnownIndex> known;
  if (!o.no_index) {
    index::IndexOptions index_options;
    index_options.path = o.index_dir.empty() ? index::DefaultIndexDir() : o.index_dir;
    index_options.exact_in_memory = o.exact_in_memory;
    auto opened = index::KnownIndex::Open(index_options);
    if (!opened.ok()) {
      return opened.status().WithContext("cannot open the known-image index (use --index DIR, or --no-index to "
                                         "hash without matching)");
    }
    known = std::move(opened).value();
  }
  engine::CaseOptions case_options;
  case_options.location = o.case_dir;
  HT_ASSIGN_OR_RETURN(auto store, engine::OpenCase(case_options));
  engine::Progress progress("scan", 0, StderrIsTerminal());
  if (StderrIsTerminal()) {
    // Total and ETA when every source is a directory (archives and disk images expand to sizes not
    // known before they are read): a quick listing of the tree, no file opened.
    ingest::SourceSize total;
    bool all_directories = true;
    for (const auto& source : o.sources) {
      std::error_code ec;
      if (!std::filesystem::is_directory(std::filesystem::symlink_status(source, ec))) {
        all_directories = false;
        break;
      }
      const auto size = ingest::MeasureDirectory(source);
      total.files += size.files;
      total.bytes += size.bytes;
      total.complete = total.complete && size.complete;
    }
    if (all_directories && total.complete) {
      progress.SetTotal(total.files);
      progress.SetTotalBytes(total.bytes);
    }
  }
  if (progress.enabled()) {
    // Carving reads a volume's unallocated space between files: its own line detail, rate and ETA.
    auto started = std::make_shared<std::chrono::steady_clock::time_point>();
    options.source.on_carve_progress = [&progress, started](const std::string& volume, std::uint64_t done,
                                                            std::uint64_t total) {
      const auto now = std::chrono::steady_clock::now();
      if (done == 0) *started = now;
      const double seconds = std::chrono::duration<double>(now - *started).count();
      const double rate = seconds > 0 ? done / 1e6 / seconds : 0;
      const double remaining = rate > 0 ? (total - done) / 1e6 / rate : -1;
      progress.SetDetail(fmt::format("carving {}: {:.0f} of {:.0f} MB unallocated, {}", engine::TerminalText(volume), done / 1e6,
                                     total / 1e6,
                                     remaining >= 0 ? fmt::format("ETA {}:{:02}", static_cast<int>(remaining) / 60,
                                                                  static_cast<int>(remaining) % 60)
                                                    : std::string("ETA --:--")));
      progress.Refresh();
    };
  }
  HT_ASSIGN_OR_RETURN(engine::ScanSummary summary,
                      engine::RunScan(*store, known.get(), o.sources, options, context, progress));
  progress.Finish();

  if (o.json) {
    std::printf("%s\n", engine::ScanSummaryToJson(summary).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else if (o.kiosk) {
    std::fputs(engine::KioskVerdict(summary, known != nullptr).c_str(), stdout);
  } else {
    std::fputs(engine::ScanSummaryText(summary).c_str(), stdout);
  }
  int code = summary.TotalErrors() > 0 ? kExitFailure : kExitOk;
  if (!o.submit_url.empty()) {
    std::vector<std::uint32_t> numbers;
    for (const auto& e : summary.evidence) numbers.push_back(e.number);
    const Status submitted = SubmitToServer(*store, numbers, o.submit_url, o.token_file, o.ca_cert);
    if (!submitted.ok()) code = std::max(code, ReportFailure(submitted));
  }
  // Known material outranks every other outcome: a script that checks only the exit status must never
  // read "nothing found" from a scan that found something (the errors are on standard error).
  if (known && engine::AnyKnownMaterial(summary)) return kExitMatches;
  return code;
}

void SetupScanCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<ScanCommandOptions>();
  CLI::App* sub = app.add_subcommand("scan", "Hash and match seized-device evidence (folders, archives, E01/raw images, UFDR); "
                                                   "exit 10 when known material is found");
  sub->add_option("sources", o->sources, "Evidence: directories, archives, disk images, UFDR files")->required();
  AddCaseOption(sub, o->case_dir);
  AddIndexOption(sub, o->index_dir);
  AddNowOption(sub, o->now);
  sub->add_option("--type", o->type, "Evidence type: auto, directory, archive, disk, ewf, ufdr, file (default: auto)");
  sub->add_option("--subject", o->subject, "Attach this evidence to a subject (person)");
  sub->add_option("--examiner", o->examiner, "Who ran the scan (default: $USER)");
  sub->add_flag("--kiosk", o->kiosk,
                "One plain-words verdict screen per device (every scan exits 10 when known material is found: "
                "any indecent category, or a set whose category was not recorded)");
  sub->add_flag("--json", o->json, "Print the summary as JSON");
  sub->add_flag("--no-index", o->no_index, "Hash without matching (no index needed)");
  sub->add_flag("--exact-in-memory", o->exact_in_memory,
                "Hold the index's MD5/SHA-1/SHA-256 entries in memory (~22-60 bytes each): ~10x faster hits");
  sub->add_option("--threads", o->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  sub->add_option("--memory", o->memory_mb, "File content held in memory at once, MB (default 512)")->check(CLI::Range(16, 1 << 20));
  sub->add_option("--threshold", o->threshold, "PDQ near-match radius in bits, 0-63 (default 31)");
  sub->add_option("--region-cells", o->region_cells,
                  "Library-mode index: grid cells (of 16) that must match at the same position for a region "
                  "match (default 7)")
      ->check(CLI::Range(1, 64));
  sub->add_option("--max-archive-depth", o->max_archive_depth, "Nested archive levels to open (default 4)");
  sub->add_option("--max-expansion-mb", o->max_expansion_mb,
                  "Zip-bomb guard: MB one archive tree may decompress to, or 200x its size if more (default 16384)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  sub->add_option("--max-image-mb", o->max_image_mb,
                  "Images larger than this are digested but not decoded (default 256)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20));
  sub->add_option("--rehash-max-mb", o->rehash_max_mb,
                  "Single-file evidence up to this size is re-hashed at the end to prove it unchanged; larger is "
                  "compared by size, inode and times only (default 4096)");
  sub->add_flag("--no-deleted", o->no_deleted, "Skip deleted files in disk images (and carving: carved pictures are deleted content)");
  sub->add_flag("--no-carve", o->no_carve, "Do not carve JPEG/PNG pictures from the unallocated space of disk images");
  sub->add_option("--max-carve-mb", o->max_carve_mb,
                  "Carving budget: MB of unallocated space examined per disk image; the rest is reported as not "
                  "examined (default 1048576)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30));
  sub->add_flag("--no-thumbnails", o->no_thumbnails, "Do not hash and match the thumbnails embedded in JPEGs");
  sub->add_flag("--no-video", o->no_video, "Do not hash the frames of videos (they still get every digest)");
  sub->add_flag("--no-geometric", o->no_geometric,
                "Library-mode index: skip the geometric stage (local features of pictures no hash matched, ~10 ms each)");
  AddVideoOptions(sub, o->video);
  sub->add_option("--vpdq-target-match", o->video_match.target_match,
                  "vPDQ rule: percent of a known video's distinct frames that must be found (default 50)")
      ->check(CLI::Range(0.0, 100.0));
  sub->add_option("--vpdq-query-match", o->video_match.query_match,
                  "vPDQ rule: percent of the scanned video's distinct frames that must be found in the known video "
                  "(default 0: a compilation holding a known video matches)")
      ->check(CLI::Range(0.0, 100.0));
  AddSubmitOptions(sub, o->submit_url, o->token_file, o->ca_cert);
  sub->callback([o, &exit]() {
    o->command_line = exit.command_line;
    o->hooks = exit.hooks;
    RecordOutcome(RunScanCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli
