// Library mode through the product path (issue 7): cost and recall of a real KnownIndex rather than the
// robustness harness's in-memory comparisons. Builds an index in a temporary directory holding N random
// PDQ hashes (a stand-in for a large foreign hash set; --filler, default 1,000,000) and the normalised
// test photos hashed by index::BuildLibrarySets (sets lib, lib+robust, lib+region). Then every transform
// of every photo (bench/robustness_transforms.h) is hashed as the scan hashes it and matched with
// engine::KnownMatcher in three modes: plain PDQ (one hash, set lib), hash-set (dihedral + trimmed
// queries, set lib) and library (all query hashes incl. region cells, every set). Reports recall per
// mode, false hits (another photo or a filler hash), index entries and memory per set kind, and the
// time per image to hash (decode shared) and to match in each mode. Usage:
// library_mode_bench [--filler N] [--threshold T]. Deterministic; writes only under a mkdtemp dir it removes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "bench/robustness_transforms.h"
#include "engine/matching/known_matcher.h"
#include "hashing/image_hasher.h"
#include "index/importer.h"
#include "index/known_index.h"
#include "index/library_builder.h"

namespace ht = hashtriage::hashing;
namespace hi = hashtriage::index;
namespace he = hashtriage::engine;
namespace hb = hashtriage::bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kModes = 3;
const char* const kModeNames[kModes] = {"plain PDQ", "hash-set", "library"};

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "library_mode_bench: %s\n", what.c_str());
  std::exit(1);
}

std::span<const std::byte> Span(const std::vector<std::uint8_t>& v) {
  return {reinterpret_cast<const std::byte*>(v.data()), v.size()};
}

// The query's hashes as each mode computes them (decode shared, as in a scan).
ht::ImageHashes HashFor(int mode, const ht::DecodedImage& d) {
  static const ht::RegionOptions region;
  if (mode == 0) return ht::HashDecodedImage(d, false, false);
  return ht::HashDecodedImage(d, true, true, mode == 2 ? &region : nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  int filler = 1'000'000;
  int threshold = hi::kDefaultPdqThreshold;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--filler") filler = std::atoi(argv[++i]);
    if (a == "--threshold") threshold = std::atoi(argv[++i]);
  }
  char tmpl[] = "/tmp/library-mode-bench.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
  const std::filesystem::path tmp = tmpl;
  const auto root = std::filesystem::path(HASHTRIAGE_TESTDATA_DIR) / "photos";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  // The library: normalised photos (<= 1600 px, JPEG q92), named by their index.
  std::filesystem::create_directories(tmp / "lib");
  std::vector<cv::Mat> photos;
  std::vector<std::string> names;  // "/pN.jpg", the library file of photo N
  std::vector<std::string> stems;  // the test photo's file stem
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    const auto bytes = hb::NormalisePhoto(bgr);
    const std::string name = "p" + std::to_string(photos.size()) + ".jpg";
    std::ofstream(tmp / "lib" / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                              static_cast<std::streamsize>(bytes.size()));
    photos.push_back(cv::imdecode(bytes, cv::IMREAD_COLOR));
    names.push_back("/" + name);
    stems.push_back(f.stem().string());
  }
  {
    std::mt19937_64 rng(7);
    std::ofstream out(tmp / "filler.pdq");
    for (int i = 0; i < filler; ++i) {
      char hex[65];
      for (int k = 0; k < 4; ++k) std::snprintf(hex + 16 * k, 17, "%016llx", static_cast<unsigned long long>(rng()));
      out << hex << ",100\n";
    }
  }
  hi::IndexOptions write;
  write.path = (tmp / "index").string();
  write.read_only = false;
  write.load_pdq = false;
  write.exact_filter = false;
  const auto t_build0 = Clock::now();
  {
    auto idx = hi::KnownIndex::Open(write);
    if (!idx.ok()) Die(idx.status().ToString());
    hi::ImportOptions io;
    io.format = hi::ImportFormat::kPdq;
    io.category = hi::Category::kC;  // filler: other known images (the category plays no part in matching)
    if (auto r = hi::ImportSet(**idx, "filler", {(tmp / "filler.pdq").string()}, io); !r.ok()) Die(r.status().ToString());
    hi::LibraryBuildOptions lo;
    lo.set = "lib";
    lo.category = hi::Category::kA;
    if (auto r = hi::BuildLibrarySets(**idx, lo, {(tmp / "lib").string()}); !r.ok()) Die(r.status().ToString());
  }
  const double build_s = Ms(t_build0, Clock::now()) / 1000;
  hi::IndexOptions read;
  read.path = write.path;
  auto opened = hi::KnownIndex::Open(read);
  if (!opened.ok()) Die(opened.status().ToString());
  const hi::KnownIndex& index = **opened;
  const hi::IndexStats stats = index.Stats();

  const auto& transforms = hb::AllTransforms();
  const int n = static_cast<int>(photos.size());
  std::vector<std::array<int, kModes>> found(transforms.size());
  std::array<int, kModes> wrong_photo{}, filler_hits{};
  std::array<double, kModes> t_hash{}, t_match{};
  std::array<std::uint64_t, kModes> queries{};
  double t_decode = 0;
  std::map<std::string, int> region_only;  // transform -> queries found only by a region hit
  he::MatchOptions mo;
  mo.threshold = threshold;
  const he::KnownMatcher matcher(index, mo);
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    for (int i = 0; i < n; ++i) {
      const auto bytes = transforms[t].apply(photos[static_cast<std::size_t>(i)], 1000 * t + static_cast<std::uint64_t>(i));
      const auto t0 = Clock::now();
      auto decoded = ht::DecodeImage(Span(bytes), {});
      t_decode += Ms(t0, Clock::now());
      if (!decoded.ok()) Die(decoded.status().ToString());
      for (int m = 0; m < kModes; ++m) {
        const auto h0 = Clock::now();
        const ht::ImageHashes q = HashFor(m, *decoded);
        const auto h1 = Clock::now();
        he::QueryHashes query = he::QueryFromFile({}, q);
        auto matched = matcher.Match(query);
        if (!matched.ok()) Die(matched.status().ToString());
        const std::vector<he::Hit> hits = std::move(matched).value();
        const auto h2 = Clock::now();
        t_hash[static_cast<std::size_t>(m)] += Ms(h0, h1);
        t_match[static_cast<std::size_t>(m)] += Ms(h1, h2);
        queries[static_cast<std::size_t>(m)] += (q.dihedral ? 8 : 1) + q.variants.size() +
                                                static_cast<std::size_t>(std::count(q.region.ok.begin(), q.region.ok.end(), 1));
        bool own = false, own_non_region = false;
        for (const he::Hit& h : hits) {
          if (h.set == "filler") {
            ++filler_hits[static_cast<std::size_t>(m)];
            continue;
          }
          if (m < 2 && h.set != "lib") continue;  // plain and hash-set modes see only the plain set
          if (m == 0 && (h.kind != he::MatchKind::kPdq || h.orientation != ht::Dihedral::kOriginal)) continue;
          const std::string& id = h.media_id;
          if (id.ends_with(names[static_cast<std::size_t>(i)])) {
            own = true;
            own_non_region = own_non_region || h.kind != he::MatchKind::kRegion;
            continue;
          }
          // Another photo: a false hit unless testdata lists the two as near-duplicates.
          const std::size_t other = static_cast<std::size_t>(std::atoi(id.substr(id.rfind("/p") + 2).c_str()));
          if (!hb::NearDuplicatePhotos(stems[static_cast<std::size_t>(i)], stems[other])) {
            ++wrong_photo[static_cast<std::size_t>(m)];
          }
        }
        found[t][static_cast<std::size_t>(m)] += own ? 1 : 0;
        if (m == 2 && own && !own_non_region) ++region_only[transforms[t].name];
      }
    }
  }
  std::filesystem::remove_all(tmp);

  std::printf("photos: %d, filler PDQ hashes: %d, threshold %d, index build %.1f s\n\n", n, filler, threshold, build_s);
  std::printf("| transform | plain PDQ | hash-set | library | library, found by region only |\n|---|---|---|---|---|\n");
  std::array<int, kModes> all{};
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    std::printf("| %s |", transforms[t].name.c_str());
    for (int m = 0; m < kModes; ++m) {
      std::printf(" %.1f%% |", 100.0 * found[t][static_cast<std::size_t>(m)] / n);
      all[static_cast<std::size_t>(m)] += found[t][static_cast<std::size_t>(m)];
    }
    std::printf(" %d |\n", region_only[transforms[t].name]);
  }
  const double total = static_cast<double>(n) * static_cast<double>(transforms.size());
  std::printf("| **overall** | **%.1f%%** | **%.1f%%** | **%.1f%%** | |\n\n", 100.0 * all[0] / total, 100.0 * all[1] / total,
              100.0 * all[2] / total);
  std::printf("| mode | false hits (another, distinct photo) | hits on a filler hash | query hashes/image | hash ms/image (decode %.2f shared) | match ms/image |\n|---|---|---|---|---|---|\n",
              t_decode / total);
  for (int m = 0; m < kModes; ++m) {
    const auto k = static_cast<std::size_t>(m);
    std::printf("| %s | %d | %d | %.1f | %.2f (%.2fx plain) | %.3f |\n", kModeNames[m], wrong_photo[k], filler_hits[k],
                static_cast<double>(queries[k]) / total, t_hash[k] / total, t_hash[k] / t_hash[0], t_match[k] / total);
  }
  std::printf("\nIndex: %llu distinct PDQ hashes in memory, %.1f MiB (%.1f bytes/hash).\n",
              static_cast<unsigned long long>(stats.pdq_unique_hashes), stats.pdq_memory_bytes / 1048576.0,
              static_cast<double>(stats.pdq_memory_bytes) / std::max<std::uint64_t>(1, stats.pdq_unique_hashes));
  for (const hi::SetInfo& s : index.ListSets()) {
    const auto it = s.entries.find(hi::HashType::kPdq);
    const std::uint64_t pdq = it == s.entries.end() ? 0 : it->second;
    std::printf("set %-12s %9llu PDQ entries", s.name.c_str(), static_cast<unsigned long long>(pdq));
    if (s.name.starts_with("lib")) std::printf(" (%.2f per library image)", static_cast<double>(pdq) / n);
    std::printf("\n");
  }
  return 0;
}
