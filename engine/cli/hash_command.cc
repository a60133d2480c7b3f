// `hashtriage hash`: digests and PDQ hashes of files, in formats other tools accept byte for byte
// (md5sum/sha1sum/sha256sum, xxhsum -H2, Meta's pdq-photo-hasher) or as JSON Lines. Files are
// hashed in parallel with oneTBB; output keeps the input order. A file that fails is reported on
// stderr as "hashtriage: PATH: reason" and the others go on; exit status 1 if any failed.
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/file_hashing.h"
#include "engine/progress.h"
#include "engine/text/untrusted_text.h"
#include "hashing/digests.h"

namespace hashtriage::cli {

namespace {

struct HashOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> digests;  // md5, sha1, sha256, xxh3
  bool pdq = false;
  bool compat = false;
  bool dihedral = false;
  bool json = false;
  bool recursive = false;
  int threads = 0;
  std::uint64_t max_pixels = 100'000'000;
  bool vpdq = false;
  hashing::VideoHashOptions video;
};

// coreutils escapes names holding a backslash or newline and marks the line with a leading '\'.
std::string ChecksumLine(const std::string& hex, const std::string& path, bool coreutils_escape) {
  if (!coreutils_escape || path.find_first_of("\\\n") == std::string::npos) return hex + "  " + path + "\n";
  std::string escaped;
  for (char c : path) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return "\\" + hex + "  " + escaped + "\n";
}

std::string PdqLine(const engine::FileHashes& h, const std::string& path, bool dihedral) {
  std::string line;
  if (dihedral && h.image->dihedral) {
    for (const auto& variant : *h.image->dihedral) line += variant.hex() + ",";
  } else {
    line = h.image->pdq.hash.hex() + ",";
  }
  return line + std::to_string(h.image->pdq.quality) + "," + path + "\n";
}

std::string JsonLine(const engine::FileHashes& h, const std::string& path, const Status& error) {
  nlohmann::ordered_json j;
  j["path"] = path;
  j["size"] = h.size ? nlohmann::json(*h.size) : nlohmann::json(nullptr);
  for (hashing::DigestKind kind : hashing::kAllDigestKinds) {
    const std::string hex = h.digests.Hex(kind);
    const std::string key = kind == hashing::DigestKind::kXxh3 ? "xxh3_128" : std::string(DigestKindName(kind));
    if (!hex.empty()) j[key] = hex;
  }
  if (h.image) {
    j["pdq"] = h.image->pdq.hash.hex();
    j["pdq_quality"] = h.image->pdq.quality;
    if (h.image->dihedral) {
      auto& arr = j["pdq_dihedral"] = nlohmann::json::array();
      for (const auto& variant : *h.image->dihedral) arr.push_back(variant.hex());
    }
    // Robust query variants (hashing/robust_variants.h), e.g. the trimmed content: {kind: hash}.
    for (const auto& v : h.image->variants) {
      if (v.dihedral == hashing::Dihedral::kOriginal) j["pdq_variants"][std::string(v.match_kind)] = v.hash.hex();
    }
    // Region hashes (hashing/robust_variants.h): the PDQ of each grid cell, row-major; null for flat
    // cells (PDQ quality below RegionOptions::min_quality), which never match.
    if (h.image->region.grid > 0) {
      nlohmann::ordered_json cells = nlohmann::ordered_json::array();
      for (std::size_t c = 0; c < h.image->region.cells.size(); ++c) {
        cells.push_back(h.image->region.ok[c] ? nlohmann::ordered_json(h.image->region.cells[c].hex()) : nlohmann::ordered_json(nullptr));
      }
      j["pdq_regions"] = {{"grid", h.image->region.grid}, {"cells", std::move(cells)}};
    }
    j["width"] = h.image->width;
    j["height"] = h.image->height;
    j["format"] = std::string(hashing::ImageFormatName(h.image->format));
  }
  j["error"] = error.ok() ? nlohmann::json(nullptr) : nlohmann::json(error.message());
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<std::vector<std::string>> ExpandInputs(const HashOptions& options) {
  std::vector<std::string> files;
  for (const std::string& input : options.inputs) {
    std::error_code ec;
    if (options.recursive && std::filesystem::is_directory(std::filesystem::symlink_status(input, ec))) {
      std::vector<std::string> found;
      auto it = std::filesystem::recursive_directory_iterator(
          input, std::filesystem::directory_options::skip_permission_denied, ec);
      for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && !it->is_symlink(ec)) found.push_back(it->path().string());
      }
      if (ec) std::fprintf(stderr, "hashtriage: %s: %s\n", engine::TerminalText(input).c_str(), ec.message().c_str());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

struct HashJob {
  std::string path;
  engine::FileHashes hashes;
  std::optional<hashing::VideoHashes> video;
  Status status;
};

// One vPDQ line per kept frame, as Meta's vpdq-hash-video writes them (frame,quality,hash,timestamp).
std::string VpdqLines(const hashing::VideoHashes& video) {
  std::string out;
  for (const hashing::VideoFrameHash& f : video.frames) out += hashing::VpdqLine(f) + "\n";
  return out;
}

}  // namespace

Result<int> RunHashCommand(const HashOptions& options) {
  engine::FileHashRequest request;
  for (const std::string& name : options.digests) {
    HT_ASSIGN_OR_RETURN(hashing::DigestKind kind, hashing::ParseDigestKind(name));
    request.digests.Add(kind);
  }
  const bool everything = options.json && request.digests.empty() && !options.pdq;
  if (everything) request.digests = hashing::DigestSet::All();
  request.pdq = options.pdq || options.dihedral || options.compat || everything;
  request.pdq_required = options.pdq || options.dihedral || options.compat;
  request.image.photo_hasher_compat = options.compat;
  request.image.dihedral = options.dihedral;
  request.image.region_hashes = options.json;  // printed as pdq_regions (library-mode region cells)
  request.image.decode.max_pixels = options.max_pixels;

  if (options.vpdq && (options.json || options.pdq || !options.digests.empty() || options.inputs.size() != 1 ||
                       options.recursive)) {
    return Status::InvalidArgument("hash --vpdq: one video file, and no other output");
  }
  int digest_count = 0;
  for (auto kind : hashing::kAllDigestKinds) digest_count += request.digests.Has(kind);
  if (!options.vpdq && !options.json && (digest_count + (request.pdq ? 1 : 0)) != 1) {
    return Status::InvalidArgument("hash: choose one output (--pdq or one --digest), or --json for several");
  }

  HT_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputs(options));
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  engine::Progress progress("hash", files.size(), /*enabled=*/StderrIsTerminal());

  bool any_failed = false;
  std::size_t next = 0;
  tbb::parallel_pipeline(
      static_cast<std::size_t>(threads) * 4,
      tbb::make_filter<void, std::shared_ptr<HashJob>>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> std::shared_ptr<HashJob> {
            if (next >= files.size()) {
              fc.stop();
              return nullptr;
            }
            auto job = std::make_shared<HashJob>();
            job->path = files[next++];
            return job;
          }) &
          tbb::make_filter<std::shared_ptr<HashJob>, std::shared_ptr<HashJob>>(
              tbb::filter_mode::parallel,
              [&](std::shared_ptr<HashJob> job) {
                if (options.vpdq) {
                  auto video = engine::HashVideoFile(job->path, options.video);
                  if (video.ok()) {
                    job->video = std::move(video).value();
                    job->hashes.size = 0;
                  } else {
                    job->status = video.status();
                  }
                  return job;
                }
                auto result = engine::HashFile(job->path, request);
                if (result.ok()) {
                  job->hashes = std::move(result).value();
                  job->status = job->hashes.status;
                } else {
                  job->status = result.status();
                }
                return job;
              }) &
          tbb::make_filter<std::shared_ptr<HashJob>, void>(
              tbb::filter_mode::serial_in_order, [&](std::shared_ptr<HashJob> job) {
                progress.Advance(1, job->hashes.size.value_or(0));
                if (!job->status.ok()) {
                  any_failed = true;
                  progress.Clear();
                  // Device file names in their terminal form; stdout keeps md5sum's own format.
                  std::fprintf(stderr, "hashtriage: %s: %s\n", engine::TerminalText(job->path).c_str(),
                               engine::TerminalText(job->status.message()).c_str());
                }
                std::string out;
                if (options.json) {
                  out = JsonLine(job->hashes, job->path, job->status);
                } else if (job->video) {
                  out = VpdqLines(*job->video);
                  const std::string& incomplete = job->video->incomplete;
                  if (!incomplete.empty()) {
                    any_failed = true;
                    std::fprintf(stderr, "hashtriage: %s: %s\n", engine::TerminalText(job->path).c_str(),
                                 engine::TerminalText(incomplete).c_str());
                  }
                } else if (job->status.ok()) {
                  if (request.pdq) {
                    out = PdqLine(job->hashes, job->path, options.dihedral);
                  } else {
                    for (auto kind : hashing::kAllDigestKinds) {
                      if (request.digests.Has(kind)) {
                        out = ChecksumLine(job->hashes.digests.Hex(kind), job->path,
                                           kind != hashing::DigestKind::kXxh3);
                      }
                    }
                  }
                }
                std::fwrite(out.data(), 1, out.size(), stdout);
              }));
  progress.Finish();
  std::fflush(stdout);
  return any_failed ? kExitFailure : kExitOk;
}

void SetupHashCommand(CLI::App& app, CommandExit& exit) {
  auto options = std::make_shared<HashOptions>();
  CLI::App* sub = app.add_subcommand("hash", "Digests and PDQ hashes of files (md5sum / pdq-photo-hasher compatible)");
  sub->add_option("files", options->inputs, "Files (or directories with -r)")->required();
  sub->add_flag("--pdq", options->pdq, "PDQ hash of each image: 'hash,quality,path' like pdq-photo-hasher");
  sub->add_flag("--compat", options->compat,
                "Reproduce pdq-photo-hasher exactly (resize images over 512 px to 512x512 first)");
  sub->add_flag("--dihedral", options->dihedral, "All 8 dihedral PDQ hashes per image (pdq-photo-hasher --pdqdih-across order)");
  sub->add_option("--digest", options->digests, "md5, sha1, sha256 or xxh3 (repeatable or comma-separated, with --json)")
      ->delimiter(',')
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_flag("--json", options->json, "JSON Lines with every requested field (all fields when none is named)");
  sub->add_flag("-r,--recursive", options->recursive, "Recurse into directories (symlinks are not followed)");
  sub->add_option("--threads", options->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  sub->add_option("--max-pixels", options->max_pixels, "Refuse images declaring more pixels (default 100000000)");
  sub->add_flag("--vpdq", options->vpdq,
                "Frame hashes of one video as Meta's vpdq-hash-video writes them: 'frame,quality,hash,timestamp'");
  sub->add_option("--video-collapse-bits", options->video.collapse_distance,
                  "With --vpdq: collapse a frame within this many bits of the last kept one; -1 keeps every "
                  "sampled frame, as vPDQ's reference does (default 2)")
      ->check(CLI::Range(-1, 64));
  AddVideoOptions(sub, options->video);
  sub->callback([options, &exit]() { RecordOutcome(RunHashCommand(*options), exit); });
}

}  // namespace hashtriage::cli
