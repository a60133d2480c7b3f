#include "index/library_builder.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "hashing/digests.h"
#include "hashing/local_features.h"
#include "hashing/image_hasher.h"
#include "hashing/pdq.h"
#include "hashing/read_only_file.h"
#include "index/feature_library.h"
#include "index/internal/key_codec.h"
#include "index/region_matcher.h"
#include "index/set_writer.h"

namespace hashtriage::index {
namespace {

struct Staged {
  HashType type;
  std::vector<std::uint8_t> bytes;
  EntryInfo info;
  std::uint64_t line;  // file ordinal, for duplicate reports
};

std::vector<std::string> ListFiles(const std::vector<std::string>& roots, LibraryBuildReport& report) {
  std::vector<std::string> files;
  for (const auto& root : roots) {
    std::error_code ec;
    const auto st = std::filesystem::symlink_status(root, ec);
    if (ec || !std::filesystem::exists(st)) {
      report.errors.push_back(root + ": not found");
      ++report.failed;
      continue;
    }
    if (std::filesystem::is_regular_file(st)) {
      files.push_back(root);
      continue;
    }
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path().string());
    }
    if (ec) {
      report.errors.push_back(root + ": " + ec.message());
      ++report.failed;
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Removes `name` when an earlier build left it (a derived set this build does not make would describe
// other images).
Status RemoveStale(KnownIndex& index, const std::string& name) {
  return index.HasSet(name) ? index.RemoveSet(name) : Status::Ok();
}

Result<SetInfo> CommitSet(KnownIndex& index, const std::string& name, const std::vector<Staged>& staged,
                          std::uint64_t records, const std::vector<std::string>& roots) {
  HT_ASSIGN_OR_RETURN(auto writer, index.BeginSet(name, "library", false));
  for (const Staged& s : staged) HT_RETURN_IF_ERROR(writer->Add(s.type, s.bytes, s.info, 0, s.line));
  SetInfo info;
  info.sources = roots;
  info.records_read = records;
  HT_ASSIGN_OR_RETURN(CommitReport report, writer->Commit(std::move(info)));
  return report.set;
}

template <typename Digest>
std::vector<std::uint8_t> Bytes(const Digest& d) {
  return {d.bytes.begin(), d.bytes.end()};
}

}  // namespace

Result<LibraryBuildReport> BuildLibrarySets(KnownIndex& index, const LibraryBuildOptions& options,
                                            const std::vector<std::string>& roots) {
  if (options.set.empty()) return Status::InvalidArgument("library build: a set name is required");
  if (!options.category) {
    return Status::InvalidArgument("library build: a category is required (--category A, B, C, "
                                   "indecent-uncategorised, non-indecent, ignorable or unknown)");
  }
  LibraryBuildReport report;
  std::vector<Staged> plain;
  std::vector<Staged> robust;
  std::vector<Staged> region;
  // Features go to their set's writer as they are computed (about 60 KB a picture); destroying the
  // writer on any failure abandons them.
  const std::string feature_set = options.set + std::string(kFeatureSetSuffix);
  std::unique_ptr<SetWriter> features;
  if (options.local_features) {
    HT_ASSIGN_OR_RETURN(features, index.BeginSet(feature_set, "library", false));
  }
  const std::vector<std::string> files = ListFiles(roots, report);
  for (const std::string& path : files) {
    const std::uint64_t line = ++report.files;
    auto file = hashing::ReadOnlyFile::Open(path);
    if (!file.ok()) {
      report.errors.push_back(path + ": " + file.status().message());
      ++report.failed;
      continue;
    }
    auto bytes = file->ReadAll(options.max_image_bytes);
    if (!bytes.ok()) {
      report.errors.push_back(path + ": " + bytes.status().message());
      ++report.failed;
      continue;
    }
    EntryInfo info;
    info.category = *options.category;
    info.media_id = path;
    hashing::MultiDigester digester(hashing::DigestSet::All());
    digester.Update(*bytes);
    const hashing::DigestValues d = digester.Finish();
    plain.push_back({HashType::kMd5, Bytes(*d.md5), info, line});
    plain.push_back({HashType::kSha1, Bytes(*d.sha1), info, line});
    plain.push_back({HashType::kSha256, Bytes(*d.sha256), info, line});
    if (!hashing::LooksLikeImage(*bytes)) continue;
    auto decoded = hashing::DecodeImage(*bytes, options.decode);
    if (!decoded.ok()) {
      report.errors.push_back(path + ": " + decoded.status().message());
      ++report.failed;
      continue;
    }
    ++report.images;
    const hashing::PdqResult pdq = hashing::ComputePdq(decoded->luma);
    EntryInfo pinfo = info;
    pinfo.pdq_quality = pdq.quality;
    if (pdq.quality < hashing::kPdqMinGoodQuality) pinfo.flags |= kFlagLowQuality;
    const auto pb = internal::PdqToBytes(pdq.hash);
    plain.push_back({HashType::kPdq, {pb.begin(), pb.end()}, pinfo, line});
    for (const auto& v : hashing::ComputeLibraryVariants(decoded->luma, options.robust)) {
      EntryInfo vinfo = pinfo;
      vinfo.media_id = std::string(v.match_kind) + ":" + path;
      const auto vb = internal::PdqToBytes(v.hash);
      robust.push_back({HashType::kPdq, {vb.begin(), vb.end()}, vinfo, line});
      ++report.variant_hashes;
    }
    if (features) {
      auto views = hashing::ComputeLibraryViews(decoded->luma);
      if (!views.ok()) {
        return views.status().WithContext("library build: local features (build with --no-features to go without "
                                          "the geometric stage): set '" + options.set + "' " +
                                          (index.HasSet(options.set) ? "left unchanged" : "not created"));
      }
      if (std::any_of(views->begin(), views->end(), [](const auto& v) { return !v.features.empty(); })) {
        HT_RETURN_IF_ERROR(features->AddFeatures(EncodeLibraryPicture(info, *views)));
        ++report.feature_pictures;
      }
    }
    if (!options.region_hashes) continue;
    const hashing::RegionSignature cells = hashing::ComputeRegionHashes(decoded->luma, options.region);
    for (std::size_t c = 0; c < cells.cells.size(); ++c) {
      if (!cells.ok[c]) continue;  // flat cells never match (RegionDistance ignores them too)
      EntryInfo cinfo = info;
      cinfo.media_id = RegionCellMediaId(cells.grid, static_cast<int>(c), path);
      const auto cb = internal::PdqToBytes(cells.cells[c]);
      region.push_back({HashType::kPdq, {cb.begin(), cb.end()}, cinfo, line});
      ++report.region_cells;
    }
  }
  if (plain.empty()) {
    // Committing would replace an earlier build of this library with empty sets.
    std::string why = report.errors.empty() ? "no files found" : report.errors.front();
    if (report.errors.size() > 1) why += " (and " + std::to_string(report.errors.size() - 1) + " more)";
    const std::string message = "library build: no readable files: " + why + ": set '" + options.set + "' " +
                                (index.HasSet(options.set) ? "left unchanged" : "not created");
    return report.failed > 0 ? Status::IOError(message) : Status::NotFound(message);
  }
  HT_ASSIGN_OR_RETURN(report.plain, CommitSet(index, options.set, plain, report.files, roots));
  HT_ASSIGN_OR_RETURN(report.robust,
                      CommitSet(index, options.set + std::string(kRobustSetSuffix), robust, report.images, roots));
  const std::string region_set = options.set + std::string(kRegionSetSuffix);
  if (options.region_hashes) {
    HT_ASSIGN_OR_RETURN(report.region, CommitSet(index, region_set, region, report.images, roots));
  } else {
    HT_RETURN_IF_ERROR(RemoveStale(index, region_set));
  }
  if (features) {
    SetInfo info;
    info.sources = roots;
    info.records_read = report.images;
    HT_ASSIGN_OR_RETURN(CommitReport committed, features->Commit(std::move(info)));
    report.features = committed.set;
  } else {
    HT_RETURN_IF_ERROR(RemoveStale(index, feature_set));
  }
  return report;
}

std::vector<std::string> LibraryDerivedSets(std::string_view set) {
  return {std::string(set) + std::string(kRobustSetSuffix), std::string(set) + std::string(kRegionSetSuffix),
          std::string(set) + std::string(kFeatureSetSuffix)};
}

std::optional<std::string> LibraryMatchKind(const Membership& m) {
  if (m.hash_type != HashType::kPdq || !m.set_name.ends_with(kRobustSetSuffix)) return std::nullopt;
  const auto colon = m.info.media_id.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return m.info.media_id.substr(0, colon);
}

}  // namespace hashtriage::index
