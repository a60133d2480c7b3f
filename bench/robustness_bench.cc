// Robustness harness (issue 7): recall of plain PDQ, hash-set mode (query-side trimming + dihedral
// queries) and library mode (plus stored library variants) over the test photos under every
// transform, false positives among distinct photos and among generated tiles, a threshold curve,
// and hashing cost. Deterministic (fixed seeds). Usage: robustness_bench [--tiles N] [--threshold T]
// [--full-decode (no JPEG DCT scaling)] [--no-region] [--no-reoriented] [--trim-upscale N] [--query-upscale N]
// (query-side RobustOptions: reoriented, trimmed_upscale_side, upscale_side); ROBUSTNESS_REGION_GRID/_QUALITY/_CELLS
// tune the region hashes.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "bench/robustness_transforms.h"
#include "hashing/dihedral_queries.h"
#include "hashing/image_decode.h"
#include "hashing/pdq.h"
#include "hashing/robust_variants.h"

namespace ht = hashtriage::hashing;
namespace hb = hashtriage::bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kModes = 3;
const char* const kModeNames[kModes] = {"plain PDQ", "hash-set", "library"};
constexpr int kMaxD = 257;

struct Tagged {
  ht::PdqHash hash;
  std::string_view kind;
};

// What one image contributes as a query and as a library entry.
struct Sig {
  ht::PdqHash plain;
  std::vector<Tagged> query;    // 8 dihedral ("pdq") + query variants ("pdq-reoriented", "pdq-trimmed", ...)
  std::vector<Tagged> library;  // plain + library variants
  ht::RegionSignature region;   // grid cells (library mode, both sides)
};

ht::RegionOptions g_region;        // ROBUSTNESS_REGION_GRID / _QUALITY / _CELLS override the defaults
bool g_use_region = true;          // --no-region: library mode without region hashes
ht::DecodeOptions g_decode;        // --full-decode: no JPEG DCT scaling
ht::RobustOptions g_robust;        // query side: --no-reoriented, --trim-upscale N, --query-upscale N

Sig MakeSig(const ht::LumaImage& luma, bool library) {
  Sig s;
  const ht::PdqDihedralResult d = ht::ComputePdqDihedral(luma);
  s.plain = d.hashes[0];
  // The product matcher's rule (hashing/dihedral_queries.h).
  const auto variants = ht::ComputeQueryVariants(luma, g_robust);
  std::vector<ht::Dihedral> reoriented;
  for (const auto& v : variants) {
    if (v.match_kind == "pdq-reoriented") reoriented.push_back(v.dihedral);
  }
  const auto sign_flip = ht::SignFlipOrientationsToQuery(reoriented);
  for (int i = 0; i < ht::kDihedralCount; ++i) {
    if (sign_flip[static_cast<std::size_t>(i)]) s.query.push_back({d.hashes[static_cast<std::size_t>(i)], "pdq"});
  }
  for (const auto& v : variants) s.query.push_back({v.hash, v.match_kind});
  s.library.push_back({s.plain, "pdq"});
  if (library) {
    for (const auto& v : ht::ComputeLibraryVariants(luma)) s.library.push_back({v.hash, v.match_kind});
  }
  if (g_use_region) s.region = ht::ComputeRegionHashes(luma, g_region);
  return s;
}

// Smallest distance of query `q` to library entry `l` under a mode, and the library kind that gave it.
std::pair<int, std::string_view> Distance(int mode, const Sig& q, const Sig& l) {
  if (mode == 0) return {ht::HammingDistance(q.plain, l.plain), "pdq"};
  std::pair<int, std::string_view> best{kMaxD, ""};
  const std::size_t nl = mode == 1 ? 1 : l.library.size();
  for (const Tagged& a : q.query) {
    for (std::size_t j = 0; j < nl; ++j) {
      const int d = ht::HammingDistance(a.hash, l.library[j].hash);
      if (d < best.first) best = {d, a.kind == "pdq" ? l.library[j].kind : a.kind};
    }
  }
  if (mode == 2 && g_use_region) {
    const int d = ht::RegionDistance(q.region, l.region, g_region.min_cells);
    if (d < best.first) best = {d, "region"};
  }
  return best;
}

ht::LumaImage LumaOf(const std::vector<std::uint8_t>& bytes) {
  auto d = ht::DecodeImage(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()), g_decode);
  if (!d.ok()) {
    std::fprintf(stderr, "decode failed: %s\n", d.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(d->luma);
}

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

bool NearDuplicate(const std::string& a, const std::string& b) { return hb::NearDuplicatePhotos(a, b); }

}  // namespace

int main(int argc, char** argv) {
  int tiles = 10000;
  int threshold = 31;
  bool verbose = std::getenv("ROBUSTNESS_VERBOSE") != nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--full-decode") g_decode.min_short_side = 0;
    if (a == "--no-region") g_use_region = false;
    if (a == "--no-reoriented") g_robust.reoriented = false;
    if (i + 1 >= argc) continue;
    if (a == "--tiles") tiles = std::atoi(argv[++i]);
    if (a == "--threshold") threshold = std::atoi(argv[++i]);
    if (a == "--trim-upscale") g_robust.trimmed_upscale_side = std::atoi(argv[++i]);
    if (a == "--query-upscale") g_robust.upscale_side = std::atoi(argv[++i]);
  }
  if (const char* e = std::getenv("ROBUSTNESS_REGION_GRID")) g_region.grid = std::atoi(e);
  if (const char* e = std::getenv("ROBUSTNESS_REGION_QUALITY")) g_region.min_quality = std::atoi(e);
  if (const char* e = std::getenv("ROBUSTNESS_REGION_CELLS")) g_region.min_cells = std::atoi(e);
  const std::filesystem::path root = std::filesystem::path(HASHTRIAGE_TESTDATA_DIR) / "photos";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  std::vector<std::string> names;
  std::vector<cv::Mat> photos;
  std::vector<Sig> lib;
  double t_decode = 0, t_pdq = 0, t_dihedral = 0, t_query = 0, t_library = 0, t_region = 0;
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    const auto bytes = hb::NormalisePhoto(bgr);
    bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
    const auto t0 = Clock::now();
    const ht::LumaImage luma = LumaOf(bytes);
    const auto t1 = Clock::now();
    (void)ht::ComputePdq(luma);
    const auto t2 = Clock::now();
    (void)ht::ComputePdqDihedral(luma);
    const auto t3 = Clock::now();
    (void)ht::ComputeQueryVariants(luma, g_robust);
    const auto t4 = Clock::now();
    (void)ht::ComputeLibraryVariants(luma);
    const auto t5 = Clock::now();
    (void)ht::ComputeRegionHashes(luma, g_region);
    const auto t6 = Clock::now();
    t_decode += Ms(t0, t1), t_pdq += Ms(t1, t2), t_dihedral += Ms(t2, t3), t_query += Ms(t3, t4), t_library += Ms(t4, t5);
    t_region += Ms(t5, t6);
    names.push_back(f.stem().string());
    photos.push_back(bgr);
    lib.push_back(MakeSig(luma, true));
  }
  const int n = static_cast<int>(photos.size());
  std::printf("photos: %d, threshold %d, decode %s, region %s (grid %d, quality >= %d, cells >= %d), query: "
              "re-oriented %s, trimmed upscale %d, upscale %d\n\n", n,
              threshold, g_decode.min_short_side == 0 ? "full resolution" : "DCT-scaled", g_use_region ? "on" : "off",
              g_region.grid, g_region.min_quality, g_region.min_cells, g_robust.reoriented ? "on" : "off",
              g_robust.trimmed_upscale_side, g_robust.upscale_side);

  // Genuine pairs: every transform of every photo against its own library entry.
  const auto& transforms = hb::AllTransforms();
  std::vector<std::array<std::vector<int>, kModes>> genuine(transforms.size());
  std::map<std::string, std::map<std::string_view, int>> matched_kinds;  // transform -> kind -> count (library)
  std::array<std::vector<int>, kModes> cross;  // transformed query vs every other distinct photo
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    for (int i = 0; i < n; ++i) {
      const auto bytes = transforms[t].apply(photos[static_cast<std::size_t>(i)], 1000 * t + static_cast<std::uint64_t>(i));
      const Sig q = MakeSig(LumaOf(bytes), false);
      for (int m = 0; m < kModes; ++m) {
        const auto [d, kind] = Distance(m, q, lib[static_cast<std::size_t>(i)]);
        genuine[t][static_cast<std::size_t>(m)].push_back(d);
        if (m == 2 && d <= threshold) ++matched_kinds[transforms[t].name][kind];
        if (verbose && m > 0 && d > threshold) {
          std::fprintf(stderr, "miss %s %s %s d=%d\n", kModeNames[m], transforms[t].name.c_str(), names[static_cast<std::size_t>(i)].c_str(), d);
        }
      }
      for (int j = 0; j < n; ++j) {
        if (j == i || NearDuplicate(names[static_cast<std::size_t>(i)], names[static_cast<std::size_t>(j)])) continue;
        for (int m = 0; m < kModes; ++m) cross[static_cast<std::size_t>(m)].push_back(Distance(m, q, lib[static_cast<std::size_t>(j)]).first);
      }
    }
  }

  // Distinct photo pairs (unordered; either direction matching counts).
  std::array<std::vector<int>, kModes> photo_pairs;
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      if (NearDuplicate(names[static_cast<std::size_t>(i)], names[static_cast<std::size_t>(j)])) continue;
      for (int m = 0; m < kModes; ++m) {
        photo_pairs[static_cast<std::size_t>(m)].push_back(
            std::min(Distance(m, lib[static_cast<std::size_t>(i)], lib[static_cast<std::size_t>(j)]).first,
                     Distance(m, lib[static_cast<std::size_t>(j)], lib[static_cast<std::size_t>(i)]).first));
      }
    }
  }

  // Generated tiles: histogram of the smallest distance per unordered pair.
  std::vector<Sig> tile_sigs;
  for (int k = 0; k < tiles; ++k) {
    const cv::Mat tile = hb::GenerateTile(static_cast<std::uint64_t>(k), 128);
    ht::LumaImage luma{tile.cols, tile.rows, std::vector<float>(tile.begin<std::uint8_t>(), tile.end<std::uint8_t>())};
    tile_sigs.push_back(MakeSig(luma, true));
  }
  std::array<std::array<std::uint64_t, kMaxD + 1>, kModes> tile_hist{};
  for (int i = 0; i < tiles; ++i) {
    for (int j = i + 1; j < tiles; ++j) {
      for (int m = 0; m < kModes; ++m) {
        const int d = std::min(Distance(m, tile_sigs[static_cast<std::size_t>(i)], tile_sigs[static_cast<std::size_t>(j)]).first,
                               Distance(m, tile_sigs[static_cast<std::size_t>(j)], tile_sigs[static_cast<std::size_t>(i)]).first);
        ++tile_hist[static_cast<std::size_t>(m)][static_cast<std::size_t>(d)];
      }
    }
  }
  const double tile_pairs = static_cast<double>(tiles) * (tiles - 1) / 2.0;

  auto recall = [](const std::vector<int>& v, int thr) {
    return 100.0 * static_cast<double>(std::count_if(v.begin(), v.end(), [&](int d) { return d <= thr; })) /
           static_cast<double>(std::max<std::size_t>(1, v.size()));
  };
  auto count = [](const std::vector<int>& v, int thr) {
    return std::count_if(v.begin(), v.end(), [&](int d) { return d <= thr; });
  };
  auto tile_fp = [&](int m, int thr) {
    std::uint64_t c = 0;
    for (int d = 0; d <= thr; ++d) c += tile_hist[static_cast<std::size_t>(m)][static_cast<std::size_t>(d)];
    return c;
  };

  std::printf("| transform | plain PDQ | hash-set | library | library match kinds |\n|---|---|---|---|---|\n");
  std::array<std::vector<int>, kModes> all;
  for (std::size_t t = 0; t < transforms.size(); ++t) {
    std::printf("| %s |", transforms[t].name.c_str());
    for (int m = 0; m < kModes; ++m) {
      std::printf(" %.1f%% |", recall(genuine[t][static_cast<std::size_t>(m)], threshold));
      all[static_cast<std::size_t>(m)].insert(all[static_cast<std::size_t>(m)].end(), genuine[t][static_cast<std::size_t>(m)].begin(),
                                              genuine[t][static_cast<std::size_t>(m)].end());
    }
    std::string kinds;
    for (const auto& [k, c] : matched_kinds[transforms[t].name]) kinds += std::string(k) + " " + std::to_string(c) + ", ";
    std::printf(" %s |\n", kinds.c_str());
  }
  std::printf("| **overall** |");
  for (int m = 0; m < kModes; ++m) std::printf(" **%.1f%%** |", recall(all[static_cast<std::size_t>(m)], threshold));
  std::printf(" |\n\n");

  std::printf("| false positives at threshold %d | plain PDQ | hash-set | library |\n|---|---|---|---|\n", threshold);
  std::printf("| distinct photo pairs (%zu) |", photo_pairs[0].size());
  for (int m = 0; m < kModes; ++m) std::printf(" %td |", count(photo_pairs[static_cast<std::size_t>(m)], threshold));
  std::printf("\n| transformed query vs other photos (%zu) |", cross[0].size());
  for (int m = 0; m < kModes; ++m) std::printf(" %td |", count(cross[static_cast<std::size_t>(m)], threshold));
  std::printf("\n| tile pairs (%.0f) |", tile_pairs);
  for (int m = 0; m < kModes; ++m) std::printf(" %llu (%.2f/M) |", static_cast<unsigned long long>(tile_fp(m, threshold)),
                                               1e6 * static_cast<double>(tile_fp(m, threshold)) / tile_pairs);
  std::printf("\n\nThreshold curve (recall overall / worst transform / photo-pair FP / cross FP / tile FP per million):\n\n");
  std::printf("| T | mode | overall | worst transform | photo pairs FP | cross FP | tiles FP/M |\n|---|---|---|---|---|---|---|\n");
  for (int thr = 16; thr <= 44; thr += 2) {
    for (int m = 0; m < kModes; ++m) {
      double worst = 100.0;
      for (std::size_t t = 0; t < transforms.size(); ++t) worst = std::min(worst, recall(genuine[t][static_cast<std::size_t>(m)], thr));
      std::printf("| %d | %s | %.1f%% | %.1f%% | %td | %td | %.2f |\n", thr, kModeNames[m], recall(all[static_cast<std::size_t>(m)], thr),
                  worst, count(photo_pairs[static_cast<std::size_t>(m)], thr), count(cross[static_cast<std::size_t>(m)], thr),
                  1e6 * static_cast<double>(tile_fp(m, thr)) / tile_pairs);
    }
  }
  std::printf("\nCost per photo (ms, mean over %d normalised photos): decode %.2f, plain PDQ %.2f, dihedral PDQ %.2f, "
              "query variants %.2f, library variants %.2f, region hashes %.2f\n",
              n, t_decode / n, t_pdq / n, t_dihedral / n, t_query / n, t_library / n, t_region / n);
  std::size_t lib_hashes = 0;
  for (const auto& s : lib) lib_hashes += s.library.size();
  std::size_t cells = 0, usable = 0;
  for (const auto& s : lib) {
    cells += s.region.cells.size();
    usable += static_cast<std::size_t>(std::count(s.region.ok.begin(), s.region.ok.end(), 1));
  }
  std::printf("Library hashes per image: %.2f (plain PDQ: 1), plus %.2f region cells (%.2f usable, quality >= %d)\n",
              static_cast<double>(lib_hashes) / n, static_cast<double>(cells) / n, static_cast<double>(usable) / n,
              g_region.min_quality);
  return 0;
}
