// The geometric harness (issue 17): can library mode find a known picture cropped anywhere, rotated by
// any small angle, inset into a screenshot, captioned, stickered, or all of these at once, without ever
// calling a distinct photo known? Transforms are drawn at random from ranges (geometric_transforms.h);
// the photos are split into a tuning half and a reporting half by a hash of their names, and only the
// half asked for is reported (tune on `--half tuning`, report on `--half reporting`, the default).
// Columns in the same run: plain PDQ (the query's PDQ against the known photo's, T = 31) and the
// geometric stage (ORB features + verification, hashing/geometric_match.h) against every library photo.
//
//   geometric_bench [--half reporting|tuning] [--per-family N] [--seed S] [--min-inliers N]
//                   [--ratio F] [--query-side N] [--library-sides N,N,...] [--query-features N] [--library-features N]
//                   [--verbose]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "bench/geometric_transforms.h"
#include "bench/robustness_transforms.h"
#include "hashing/geometric_match.h"
#include "hashing/image_decode.h"
#include "hashing/local_features.h"
#include "hashing/pdq.h"

namespace ht = hashtriage::hashing;
namespace hb = hashtriage::bench;
using GeoClock = std::chrono::steady_clock;

namespace {

struct Signature {
  ht::PdqHash pdq;
  std::vector<ht::LocalFeatures> views;  // one per working size: a query has one, a library photo several
};

struct Options {
  std::string half = "reporting";
  int per_family = 3;
  std::uint64_t seed = 1;
  bool verbose = false;
  std::string dump;  // --dump DIR: the queries that were missed, as JPEG (benign photos only)
  ht::LocalFeatureOptions query_features = ht::QueryFeatureOptions();
  ht::LocalFeatureOptions library_features = ht::LibraryViewOptions()[0];
  std::vector<int> library_sides = {640, 320, 160};  // ht::LibraryViewOptions()
  ht::GeometricOptions geometry;
};

double ms_features = 0, ms_match = 0;
long features_runs = 0, match_runs = 0;

Signature Sign(const std::vector<std::uint8_t>& jpeg, ht::LocalFeatureOptions features, const std::vector<int>& sides) {
  const auto* p = reinterpret_cast<const std::byte*>(jpeg.data());
  auto decoded = ht::DecodeImage(std::span<const std::byte>(p, jpeg.size()));  // as a scan decodes
  if (!decoded.ok()) {
    std::fprintf(stderr, "decode: %s\n", decoded.status().ToString().c_str());
    std::exit(1);
  }
  Signature s;
  s.pdq = ht::ComputePdq(decoded->luma).hash;
  const int longer = std::max(decoded->luma.width, decoded->luma.height);
  for (std::size_t v = 0; v < sides.size(); ++v) {
    if (v > 0 && sides[v] >= longer) continue;  // a smaller view only where the picture is larger
    features.working_side = sides[v];
    if (v > 0) features.min_side = 0;  // the smaller views are reductions only
    const auto t0 = GeoClock::now();
    auto f = ht::ComputeLocalFeatures(decoded->luma, features);
    ms_features += std::chrono::duration<double, std::milli>(GeoClock::now() - t0).count();
    ++features_runs;
    if (!f.ok()) {
      std::fprintf(stderr, "features: %s\n", f.status().ToString().c_str());
      std::exit(1);
    }
    s.views.push_back(std::move(*f));
  }
  return s;
}

// The query's one view against each of the library photo's views: the best (a hit first, then inliers).
ht::GeometricMatch Match(const Signature& q, const Signature& k, const ht::GeometricOptions& o) {
  ht::GeometricMatch best;
  bool best_hit = false;
  for (const ht::LocalFeatures& view : k.views) {
    const auto t0 = GeoClock::now();
    const ht::GeometricMatch m = ht::MatchGeometry(q.views[0], view, o);
    ms_match += std::chrono::duration<double, std::milli>(GeoClock::now() - t0).count();
    ++match_runs;
    const bool hit = ht::IsGeometricHit(m, o);
    if ((hit && !best_hit) || (hit == best_hit && m.inliers > best.inliers)) best = m, best_hit = hit;
  }
  return best;
}

bool InReportingHalf(const std::string& stem) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a of the name
  for (char c : stem) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return (h >> 7) % 2 == 1;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--half") o.half = value();
    else if (a == "--per-family") o.per_family = std::atoi(value());
    else if (a == "--seed") o.seed = std::strtoull(value(), nullptr, 10);
    else if (a == "--min-inliers") o.geometry.min_inliers = std::atoi(value());
    else if (a == "--query-side") o.query_features.working_side = std::atoi(value());
    else if (a == "--library-sides") {
      o.library_sides.clear();
      for (std::string list = value(); !list.empty();) {
        const auto comma = list.find(',');
        o.library_sides.push_back(std::atoi(list.substr(0, comma).c_str()));
        list = comma == std::string::npos ? "" : list.substr(comma + 1);
      }
    }
    else if (a == "--ratio") o.geometry.ratio = std::atof(value());
    else if (a == "--min-side") o.query_features.min_side = o.library_features.min_side = std::atoi(value());
    else if (a == "--query-features") o.query_features.max_features = std::atoi(value());
    else if (a == "--library-features") o.library_features.max_features = std::atoi(value());
    else if (a == "--verbose") o.verbose = true;
    else if (a == "--dump") o.dump = value();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      std::exit(2);
    }
  }
  if (o.half != "reporting" && o.half != "tuning") {
    std::fprintf(stderr, "--half is reporting or tuning\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(HASHTRIAGE_TESTDATA_DIR) / "photos")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> names;
  std::vector<cv::Mat> photos;
  std::vector<Signature> library;
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    const auto bytes = hb::NormalisePhoto(bgr);
    names.push_back(f.stem().string());
    photos.push_back(cv::imdecode(bytes, cv::IMREAD_COLOR));
    library.push_back(Sign(bytes, o.library_features, o.library_sides));
  }
  const std::size_t n = photos.size();
  std::size_t in_half = 0;
  for (const auto& name : names) in_half += InReportingHalf(name) == (o.half == "reporting");
  std::string sides;
  for (int side : o.library_sides) sides += (sides.empty() ? "" : ",") + std::to_string(side);
  std::printf("library: %zu photos (every one; features: views with longer side %s px, %d strongest each); queries from the %s half "
              "(%zu photos), %d per family per photo, seed %llu; query features: longer side %d px, %d strongest; "
              "min inliers %d, ratio %.2f\n\n",
              n, sides.c_str(), o.library_features.max_features, o.half.c_str(), in_half,
              o.per_family, static_cast<unsigned long long>(o.seed), o.query_features.working_side,
              o.query_features.max_features, o.geometry.min_inliers, o.geometry.ratio);

  struct Tally {
    int queries = 0, pdq = 0, geometric = 0, wrong = 0;
  };
  std::map<std::string, Tally> tally;
  Tally overall;
  std::mt19937_64 rng(o.seed);
  for (std::size_t i = 0; i < n; ++i) {
    if (InReportingHalf(names[i]) != (o.half == "reporting")) continue;
    for (hb::Family family : hb::kAllFamilies) {
      for (int k = 0; k < o.per_family; ++k) {
        const hb::Transformed t = hb::ApplyFamily(family, photos[i], rng);
        const int quality = std::uniform_int_distribution<int>(60, 95)(rng);
        const std::vector<std::uint8_t> jpeg = hb::EncodeJpeg(t.bgr, quality);
        const Signature q = Sign(jpeg, o.query_features, {o.query_features.working_side});
        Tally& row = tally[hb::FamilyName(family)];
        ++row.queries;
        const bool pdq = ht::HammingDistance(q.pdq, library[i].pdq) <= 31;
        row.pdq += pdq;
        bool found = false;
        int wrong = 0;
        ht::GeometricMatch own;
        for (std::size_t j = 0; j < n; ++j) {
          const ht::GeometricMatch m = Match(q, library[j], o.geometry);
          if (j == i) own = m;
          if (!ht::IsGeometricHit(m, o.geometry)) continue;
          if (j == i) found = true;
          else if (!hb::NearDuplicatePhotos(names[i], names[j])) {
            ++wrong;
            std::printf("  WRONG %s (%s) -> %s: %d inliers of %d, scale %.2f, rotation %.1f, spread %.2f\n",
                        names[i].c_str(), t.description.c_str(), names[j].c_str(), m.inliers, m.matches, m.scale,
                        m.rotation_degrees, m.spread);
          }
        }
        row.geometric += found;
        if (!found && !o.dump.empty()) {
          cv::imwrite(o.dump + "/" + names[i] + "-" + hb::FamilyName(family) + std::to_string(k) + ".jpg", cv::imdecode(jpeg, cv::IMREAD_COLOR));
        }
        row.wrong += wrong;
        if (o.verbose || !found) {
          std::printf("  %s %s (%s, q%d): %d inliers of %d matches, scale %.2f, rotation %.1f, visible %.2f, spread %.2f\n",
                      found ? "found" : "MISS ", names[i].c_str(), t.description.c_str(), quality, own.inliers,
                      own.matches, own.scale, own.rotation_degrees, own.visible, own.spread);
        }
      }
    }
  }
  std::printf("\n| family | queries | plain PDQ | geometric | wrong photo verified |\n|---|---|---|---|---|\n");
  for (hb::Family family : hb::kAllFamilies) {
    const Tally& r = tally[hb::FamilyName(family)];
    overall.queries += r.queries, overall.pdq += r.pdq, overall.geometric += r.geometric, overall.wrong += r.wrong;
    std::printf("| %s | %d | %.1f%% | %.1f%% | %d |\n", hb::FamilyName(family), r.queries, 100.0 * r.pdq / r.queries,
                100.0 * r.geometric / r.queries, r.wrong);
  }
  std::printf("| overall | %d | %.1f%% | %.1f%% | %d |\n", overall.queries, 100.0 * overall.pdq / overall.queries,
              100.0 * overall.geometric / overall.queries, overall.wrong);

  // Distinct photos: every ordered pair of library photos that are not near-duplicates.
  long pairs = 0, false_hits = 0;
  int max_inliers = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j || hb::NearDuplicatePhotos(names[i], names[j])) continue;
      const ht::GeometricMatch m = Match(library[i], library[j], o.geometry);
      ++pairs;
      max_inliers = std::max(max_inliers, m.inliers);
      if (ht::IsGeometricHit(m, o.geometry)) {
        ++false_hits;
        std::printf("  FALSE %s -> %s: %d inliers of %d, scale %.2f, spread %.2f\n", names[i].c_str(), names[j].c_str(),
                    m.inliers, m.matches, m.scale, m.spread);
      }
    }
  }
  std::printf("\ndistinct photo pairs (ordered): %ld, verified %ld, most inliers %d\n", pairs, false_hits, max_inliers);
  std::printf("cost: features %.2f ms per picture (%ld), verification %.3f ms per pair (%ld)\n",
              ms_features / features_runs, features_runs, ms_match / match_runs, match_runs);
  return 0;
}
