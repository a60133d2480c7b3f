// The geometric harness (issue 17): can library mode find a known picture cropped anywhere, rotated by
// any small angle, inset into a screenshot, captioned, stickered, or all of these at once, without ever
// calling a distinct photo known? Transforms are drawn at random from ranges (geometric_transforms.h);
// the photos are split into a tuning half and a reporting half by a hash of their names, and only the
// half asked for is reported (tune on `--half tuning`, report on `--half reporting`, the default).
// Each query goes through the product: a real index built by `index build` (index/library_builder.h) from
// every photo, and the one matcher (engine/matching/known_matcher.h): today's library mode (PDQ, its
// variants, region cells) first, the geometric stage (candidate retrieval from the stored features, then
// verification) only where that found nothing. Columns in the same run: plain PDQ (the query's PDQ
// against its photo's, T = 31), today's library mode alone, and both. Then: every ordered pair of
// distinct photos verified directly (no retrieval), and the cost per scanned image of photos the library
// does not hold (a library of the other half), with and without the geometric stage.
//
//   geometric_bench [--half reporting|tuning] [--per-family N] [--seed S] [--min-inliers N] [--ratio F]
//                   [--min-votes N] [--candidates N]
//                   [--verbose] [--dump DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <unistd.h>

#include "bench/geometric_transforms.h"
#include "engine/matching/known_matcher.h"
#include "engine/matching/query_hashes.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "index/feature_library.h"
#include "index/library_builder.h"
#include "bench/robustness_transforms.h"
#include "hashing/geometric_match.h"
#include "hashing/image_decode.h"
#include "hashing/local_features.h"
#include "hashing/pdq.h"

namespace ht = hashtriage::hashing;
namespace he = hashtriage::engine;
namespace hi = hashtriage::index;
namespace hb = hashtriage::bench;
using GeoClock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string half = "reporting";
  int per_family = 3;
  std::uint64_t seed = 1;
  bool verbose = false;
  std::string dump;  // --dump DIR: the queries that were missed, as JPEG (benign photos only)
  bool cost_only = false;  // --cost-only: only the cost per scanned image
  std::string large;       // --large DIR: the false-positive run over bench/collect-photos' pictures instead
  ht::GeometricOptions geometry;
  hi::CandidateOptions candidates;
};

std::span<const std::byte> Bytes(const std::vector<std::uint8_t>& v) {
  return {reinterpret_cast<const std::byte*>(v.data()), v.size()};
}

double Ms(GeoClock::time_point since) { return std::chrono::duration<double, std::milli>(GeoClock::now() - since).count(); }

// A library photo's views as `index build` stores them.
std::vector<ht::LocalFeatures> LibraryViews(const std::vector<std::uint8_t>& jpeg) {
  auto decoded = ht::DecodeImage(Bytes(jpeg));
  if (!decoded.ok()) {
    std::fprintf(stderr, "decode: %s\n", decoded.status().ToString().c_str());
    std::exit(1);
  }
  auto views = ht::ComputeLibraryViews(decoded->luma);
  if (!views.ok()) {
    std::fprintf(stderr, "features: %s\n", views.status().ToString().c_str());
    std::exit(1);
  }
  return *views;
}

// A real library-mode index of some of the photos (files named <name>.jpg), opened as a scan opens it.
struct Library {
  std::filesystem::path dir;
  std::unique_ptr<hi::KnownIndex> index;
  std::unique_ptr<he::KnownMatcher> matcher;
  ~Library() {
    matcher.reset();
    index.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

he::MatchOptions MatchOptionsOf(const Options& o) {
  he::MatchOptions mo;
  mo.geometry = o.geometry;
  mo.geometric_candidates = o.candidates;
  return mo;
}

std::unique_ptr<Library> BuildLibrary(const std::string& tag, const std::vector<std::string>& names,
                                      const std::vector<std::vector<std::uint8_t>>& jpegs, const std::vector<bool>& keep,
                                      const he::MatchOptions& match) {
  auto lib = std::make_unique<Library>();
  lib->dir = std::filesystem::temp_directory_path() / ("hashtriage-geometric-bench-" + tag + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(lib->dir);
  std::filesystem::create_directories(lib->dir / "photos");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!keep[i]) continue;
    FILE* f = std::fopen((lib->dir / "photos" / (names[i] + ".jpg")).c_str(), "wb");
    std::fwrite(jpegs[i].data(), 1, jpegs[i].size(), f);
    std::fclose(f);
  }
  hi::IndexOptions io;
  io.path = (lib->dir / "index").string();
  io.read_only = false;
  {
    auto rw = hi::KnownIndex::Open(io);
    hi::LibraryBuildOptions build;
    build.set = "library";
    build.category = hi::Category::kA;
    auto report = rw.ok() ? hi::BuildLibrarySets(**rw, build, {(lib->dir / "photos").string()})
                          : hashtriage::Result<hi::LibraryBuildReport>(rw.status());
    if (!report.ok()) {
      std::fprintf(stderr, "index build: %s\n", report.status().ToString().c_str());
      std::exit(1);
    }
  }
  io.read_only = true;
  auto ro = hi::KnownIndex::Open(io);
  if (!ro.ok()) std::exit(1);
  lib->index = std::move(*ro);
  lib->matcher = std::make_unique<he::KnownMatcher>(*lib->index, match);
  return lib;
}

// One picture through the product, as a scan does it (one thread).
struct Outcome {
  std::vector<he::Hit> today;      // digests, PDQ family, region cells
  std::vector<he::Hit> geometric;  // only when `today` is empty
  bool ran_geometric = false;
  double ms_today = 0, ms_geometric = 0;
};

Outcome RunProduct(const he::KnownMatcher& matcher, const std::vector<std::uint8_t>& jpeg) {
  Outcome out;
  const std::span<const std::byte> bytes = Bytes(jpeg);
  auto t0 = GeoClock::now();
  ht::ImageHashOptions image;
  image.dihedral = true;
  image.region_hashes = true;
  image.keep_luma = true;
  auto hashed = ht::HashImage(bytes, image);
  if (!hashed.ok()) std::exit(1);
  const he::QueryHashes query = he::QueryFromFile(ht::DigestBytes(bytes, ht::DigestSet::All()), *hashed);
  auto hits = matcher.Match(query);
  if (!hits.ok()) std::exit(1);
  out.today = std::move(*hits);
  out.ms_today = Ms(t0);
  if (out.today.empty()) {
    t0 = GeoClock::now();
    auto geometric = matcher.MatchGeometric(*hashed->luma);
    if (!geometric.ok()) {
      std::fprintf(stderr, "geometric stage: %s\n", geometric.status().ToString().c_str());
      std::exit(1);
    }
    out.geometric = std::move(*geometric);
    out.ran_geometric = true;
    out.ms_geometric = Ms(t0);
  }
  return out;
}

// The library photo a hit names: the stem of its path (variant and region media ids prefix it with "kind:").
std::string PhotoOf(const he::Hit& hit) {
  const auto colon = hit.media_id.rfind(':');
  return std::filesystem::path(colon == std::string::npos ? hit.media_id : hit.media_id.substr(colon + 1)).stem().string();
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
    else if (a == "--ratio") o.geometry.ratio = std::atof(value());
    else if (a == "--min-votes") o.candidates.min_votes = std::atoi(value());
    else if (a == "--candidates") o.candidates.max_candidates = std::atoi(value());
    else if (a == "--verbose") o.verbose = true;
    else if (a == "--cost-only") o.cost_only = true;
    else if (a == "--large") o.large = value();
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

// The large false-positive run (--large DIR, pictures from bench/collect-photos): the pictures are split in
// two halves by a hash of their names; each half is the library of a real index and every picture of the
// other half is scanned against it through the product (both directions: 2 x |A| x |B| ordered pairs,
// each picture meeting every library picture through retrieval). Every hit is printed and classed: two
// pictures whose whole-picture PDQs are within 31 bits are the same picture shipped twice (resized or
// re-encoded), so the known picture is present; two pictures of one package share an author and often
// content (a series in one folder; a logo, a typeface or a texture reused across its folders); a hit
// between pictures of different packages is a false hit.
int RunLarge(const Options& o) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(o.large) / "photos")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> names;
  std::vector<std::vector<std::uint8_t>> jpegs;
  std::vector<ht::PdqHash> pdqs;
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    jpegs.push_back(hb::NormalisePhoto(bgr));
    names.push_back(f.parent_path().filename().string() + "/" + f.stem().string());
    auto decoded = ht::DecodeImage(Bytes(jpegs.back()));
    pdqs.push_back(decoded.ok() ? ht::ComputePdq(decoded->luma).hash : ht::PdqHash{});
  }
  const std::size_t n = names.size();
  // Where each picture was in its package (manifest.csv: file,package,version,path_in_package,licences).
  std::map<std::string, std::string> origin;
  {
    std::ifstream manifest(std::filesystem::path(o.large) / "manifest.csv");
    for (std::string line; std::getline(manifest, line);) {
      const auto comma = line.find(',');
      std::string file = line.substr(0, comma);
      std::size_t field = comma;
      for (int k = 0; k < 2 && field != std::string::npos; ++k) field = line.find(',', field + 1);
      if (field == std::string::npos) continue;
      const std::string path = line.substr(field + 1, line.find(',', field + 1) - field - 1);
      origin[file.substr(0, file.rfind('.'))] = path;
    }
  }
  auto folder = [&](const std::string& name) {
    const std::string& path = origin[name];
    return path.substr(0, path.rfind('/'));
  };
  std::vector<bool> first(n);
  std::size_t in_first = 0;
  for (std::size_t i = 0; i < n; ++i) in_first += first[i] = InReportingHalf(names[i]);
  // Library names are file names: '/' becomes '~'.
  std::vector<std::string> file_names = names;
  for (auto& name : file_names) std::replace(name.begin(), name.end(), '/', '~');
  auto package = [&](const std::string& name) { return name.substr(0, name.find('/')); };
  long pairs = 0, cross_package_pairs = 0, same_picture = 0, same_folder = 0, same_package = 0, false_hits = 0,
       geometric_false = 0, geometric_same_package = 0;
  int scanned = 0, ran = 0;
  double today_ms = 0, geometric_ms = 0;
  for (int direction = 0; direction < 2; ++direction) {
    std::vector<bool> library(n);
    for (std::size_t i = 0; i < n; ++i) library[i] = first[i] == (direction == 0);
    const std::size_t library_size = static_cast<std::size_t>(std::count(library.begin(), library.end(), true));
    const auto lib = BuildLibrary("large" + std::to_string(direction), file_names, jpegs, library, MatchOptionsOf(o));
    for (std::size_t i = 0; i < n; ++i) {
      if (library[i]) continue;
      const Outcome r = RunProduct(*lib->matcher, jpegs[i]);
      pairs += static_cast<long>(library_size);
      for (std::size_t j = 0; j < n; ++j) cross_package_pairs += library[j] && package(names[j]) != package(names[i]);
      ++scanned;
      ran += r.ran_geometric;
      today_ms += r.ms_today;
      geometric_ms += r.ms_geometric;
      for (const auto* hits : {&r.today, &r.geometric}) {
        for (const he::Hit& h : *hits) {
          const std::string photo = PhotoOf(h);
          const auto j = static_cast<std::size_t>(std::find(file_names.begin(), file_names.end(), photo) - file_names.begin());
          const int distance = j < n ? ht::HammingDistance(pdqs[i], pdqs[j]) : 256;
          const bool same = distance <= 31;
          const bool series = !same && j < n && folder(names[i]) == folder(names[j]);
          const bool author = !same && !series && j < n && package(names[i]) == package(names[j]);
          const bool wrong = !same && !series && !author;
          const bool geometric = h.kind == he::MatchKind::kGeometric;
          same_picture += same;
          same_folder += series;
          same_package += author;
          geometric_same_package += (series || author) && geometric;
          false_hits += wrong;
          geometric_false += wrong && geometric;
          std::printf("  %s %s -> %s: %s%s (whole-picture PDQ distance %d; %s -> %s)\n",
                      same ? "SAME PICTURE" : series ? "SAME FOLDER" : author ? "SAME PACKAGE" : "FALSE HIT",
                      names[i].c_str(), j < n ? names[j].c_str() : photo.c_str(),
                      std::string(he::MatchKindName(h.kind)).c_str(),
                      h.geometry ? (", " + std::to_string(h.geometry->inliers) + " inliers, rotation " +
                                    std::to_string(static_cast<int>(std::lround(h.geometry->rotation_degrees))) + ", scale " +
                                    std::to_string(h.geometry->scale).substr(0, 4)).c_str()
                               : "",
                      distance,
                      origin[names[i]].c_str(), j < n ? origin[names[j]].c_str() : "?");
        }
      }
    }
  }
  std::printf("\nlarge set: %zu pictures (%s), halves of %zu and %zu; %ld ordered pairs through the product, %ld of "
              "them between pictures of different packages: hits between different packages (false hits) %ld "
              "(geometric %ld), %.2f per million such pairs; hits sharing content within one package %ld "
              "(geometric %ld): a series in one folder %ld, another folder (a logo, typeface or texture reused: "
              "classed by package, not checked picture by picture) %ld; hits between different folders, as counted "
              "before (%.1f per million pairs); "
              "between copies of the same picture %ld\n",
              n, o.large.c_str(), in_first, n - in_first, pairs, cross_package_pairs, false_hits, geometric_false,
              1e6 * false_hits / std::max(1L, cross_package_pairs), same_folder + same_package, geometric_same_package,
              same_folder, same_package, 1e6 * (same_package + false_hits) / std::max(1L, pairs), same_picture);
  std::printf("cost per scanned image (%d pictures, libraries of ~%zu): today's library mode %.2f ms, geometric stage "
              "%.2f ms (ran on %.0f%%), ratio %.2fx\n",
              scanned, n / 2, today_ms / scanned, geometric_ms / scanned, 100.0 * ran / scanned,
              (today_ms + geometric_ms) / today_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  if (!o.large.empty()) return RunLarge(o);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(HASHTRIAGE_TESTDATA_DIR) / "photos")) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> names;
  std::vector<cv::Mat> photos;
  std::vector<std::vector<std::uint8_t>> jpegs;
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) continue;
    jpegs.push_back(hb::NormalisePhoto(bgr));
    // Four names occur in two folders (gnome-faces/tree.jpg and scratch/tree.jpg are different pictures):
    // the folder tells those apart, in the library's file names too.
    const bool shared = std::count_if(files.begin(), files.end(), [&](const auto& g) { return g.stem() == f.stem(); }) > 1;
    names.push_back(shared ? f.parent_path().filename().string() + "-" + f.stem().string() : f.stem().string());
    photos.push_back(cv::imdecode(jpegs.back(), cv::IMREAD_COLOR));
  }
  const std::size_t n = photos.size();
  std::vector<bool> in_half(n), other_half(n);
  std::size_t half_count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    in_half[i] = InReportingHalf(names[i]) == (o.half == "reporting");
    other_half[i] = !in_half[i];
    half_count += in_half[i];
  }
  const auto build_start = GeoClock::now();
  const auto everything = BuildLibrary("all", names, jpegs, std::vector<bool>(n, true), MatchOptionsOf(o));
  const double build_ms = Ms(build_start);
  std::uint64_t feature_bytes = 0, feature_pictures = 0;
  for (const auto& s : everything->index->ListSets()) feature_pictures += s.feature_pictures;
  for (const auto& j : jpegs) feature_bytes += hi::EncodeLibraryPicture(hi::EntryInfo{}, LibraryViews(j)).size();
  auto loaded = everything->index->LibraryFeatures();
  const std::size_t memory = loaded.ok() && *loaded ? (*loaded)->memory_bytes() : 0;
  std::printf("library: %zu photos, index build (plain, robust, region, features) %.0f ms; features of %llu pictures: "
              "%.1f KB stored and %.1f KB in memory per picture; queries from the %s half (%zu photos), %d per "
              "family per photo, seed %llu; min inliers %d, ratio %.2f; candidates: %d views of >= %d votes\n\n",
              n, build_ms, static_cast<unsigned long long>(feature_pictures), feature_bytes / 1024.0 / n,
              memory / 1024.0 / n, o.half.c_str(), half_count, o.per_family, static_cast<unsigned long long>(o.seed),
              o.geometry.min_inliers, o.geometry.ratio, o.candidates.max_candidates, o.candidates.min_votes);

  struct Tally {
    int queries = 0, pdq = 0, today = 0, product = 0, wrong = 0, ran = 0;
  };
  std::map<std::string, Tally> tally;
  Tally overall;
  std::mt19937_64 rng(o.seed);
  for (std::size_t i = 0; i < n && !o.cost_only; ++i) {
    if (!in_half[i]) continue;
    const ht::PdqHash known_pdq = ht::ComputePdq(ht::DecodeImage(Bytes(jpegs[i]))->luma).hash;
    for (hb::Family family : hb::kAllFamilies) {
      for (int k = 0; k < o.per_family; ++k) {
        const hb::Transformed t = hb::ApplyFamily(family, photos[i], rng);
        const int quality = std::uniform_int_distribution<int>(60, 95)(rng);
        const std::vector<std::uint8_t> jpeg = hb::EncodeJpeg(t.bgr, quality);
        Tally& row = tally[hb::FamilyName(family)];
        ++row.queries;
        auto decoded = ht::DecodeImage(Bytes(jpeg));
        row.pdq += decoded.ok() && ht::HammingDistance(ht::ComputePdq(decoded->luma).hash, known_pdq) <= 31;
        const Outcome r = RunProduct(*everything->matcher, jpeg);
        bool today = false, found = false;
        for (const auto* hits : {&r.today, &r.geometric}) {
          for (const he::Hit& h : *hits) {
            const std::string photo = PhotoOf(h);
            if (photo == names[i]) {
              found = true;
              today = today || hits == &r.today;
            } else if (!hb::NearDuplicatePhotos(names[i], photo)) {
              ++row.wrong;
              std::printf("  WRONG %s (%s) -> %s (%s)\n", names[i].c_str(), t.description.c_str(), photo.c_str(),
                          std::string(he::MatchKindName(h.kind)).c_str());
            }
          }
        }
        row.today += today;
        row.product += found;
        row.ran += r.ran_geometric;
        if (!found && !o.dump.empty()) {
          cv::imwrite(o.dump + "/" + names[i] + "-" + hb::FamilyName(family) + std::to_string(k) + ".jpg", cv::imdecode(jpeg, cv::IMREAD_COLOR));
        }
        if (o.verbose || !found) {
          std::printf("  %s %s (%s, q%d)", found ? "found" : "MISS ", names[i].c_str(), t.description.c_str(), quality);
          if (!found && o.verbose && decoded.ok()) {
            // Where retrieval ranked the photo's views, and what verification made of each.
            const hi::FeatureLibrary* library = *everything->index->LibraryFeatures();
            const auto scanned = *ht::ComputeLocalFeatures(decoded->luma, ht::QueryFeatureOptions());
            hi::CandidateOptions all;
            all.min_votes = 1;
            all.max_candidates = 1000;
            const auto ranked = library->Candidates(scanned, all);
            for (std::size_t r = 0; r < ranked.size(); ++r) {
              const auto& known = library->pictures()[ranked[r].picture];
              if (PhotoOf(he::HitOf(hi::Membership{known.set, hi::HashType::kPdq, known.info}, he::MatchKind::kGeometric)) != names[i]) continue;
              const auto m = ht::MatchGeometry(scanned, known.views[ranked[r].view], o.geometry);
              std::printf(" [rank %zu view %u votes %d inliers %d]", r, ranked[r].view, ranked[r].votes, m.inliers);
            }
          }
          std::printf("\n");
        }
      }
    }
  }
  if (!o.cost_only) {
    std::printf("\n| family | queries | plain PDQ | today's library mode | with the geometric stage | geometric stage ran | wrong photo |\n"
                "|---|---|---|---|---|---|---|\n");
    for (hb::Family family : hb::kAllFamilies) {
      const Tally& r = tally[hb::FamilyName(family)];
      overall.queries += r.queries, overall.pdq += r.pdq, overall.today += r.today, overall.product += r.product;
      overall.wrong += r.wrong, overall.ran += r.ran;
      std::printf("| %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d |\n", hb::FamilyName(family), r.queries,
                  100.0 * r.pdq / r.queries, 100.0 * r.today / r.queries, 100.0 * r.product / r.queries,
                  100.0 * r.ran / r.queries, r.wrong);
    }
    std::printf("| overall | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d |\n", overall.queries,
                100.0 * overall.pdq / overall.queries, 100.0 * overall.today / overall.queries,
                100.0 * overall.product / overall.queries, 100.0 * overall.ran / overall.queries, overall.wrong);
  }

  // Distinct photos: every ordered pair of photos that are not near-duplicates, verified directly.
  std::vector<std::vector<ht::LocalFeatures>> views;
  std::vector<ht::LocalFeatures> queries;
  for (const auto& j : jpegs) views.push_back(LibraryViews(j));
  for (const auto& j : jpegs) {
    auto decoded = ht::DecodeImage(Bytes(j));
    queries.push_back(*ht::ComputeLocalFeatures(decoded->luma, ht::QueryFeatureOptions()));
  }
  long pairs = 0, false_hits = 0;
  int max_inliers = 0;
  for (std::size_t i = 0; i < n && !o.cost_only; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j || hb::NearDuplicatePhotos(names[i], names[j])) continue;
      const ht::GeometricMatch m = ht::MatchGeometryViews(queries[i], views[j], o.geometry);
      ++pairs;
      max_inliers = std::max(max_inliers, m.inliers);
      if (ht::IsGeometricHit(m, o.geometry)) {
        ++false_hits;
        std::printf("  FALSE %s -> %s: %d inliers of %d, scale %.2f\n", names[i].c_str(), names[j].c_str(),
                    m.inliers, m.matches, m.scale);
      }
    }
  }
  std::printf("\ndistinct photo pairs (ordered, every library view, no retrieval): %ld, verified %ld, most inliers %d\n",
              pairs, false_hits, max_inliers);

  // Cost per scanned image: the photos of this half, unchanged, against a library of the other half (so
  // nothing is known and the geometric stage runs on each), one thread, wall time in the process.
  const auto others = BuildLibrary("other", names, jpegs, other_half, MatchOptionsOf(o));
  double today_ms = 0, geometric_ms = 0;
  int scanned = 0, ran = 0, hits = 0;
  for (int round = 0; round < 3; ++round) {  // three passes: the figures are the mean
    for (std::size_t i = 0; i < n; ++i) {
      if (!in_half[i]) continue;
      const Outcome r = RunProduct(*others->matcher, jpegs[i]);
      ++scanned;
      ran += r.ran_geometric;
      today_ms += r.ms_today;
      geometric_ms += r.ms_geometric;
      for (const auto* list : {&r.today, &r.geometric}) {
        for (const he::Hit& h : *list) {
          if (round == 0 && !hb::NearDuplicatePhotos(names[i], PhotoOf(h))) {
            ++hits;
            std::printf("  UNKNOWN PHOTO MATCHED %s -> %s (%s)\n", names[i].c_str(), PhotoOf(h).c_str(),
                        std::string(he::MatchKindName(h.kind)).c_str());
          }
        }
      }
    }
  }
  std::printf("cost per scanned image (%d photos of this half x 3, library of the other half, %zu pictures): today's "
              "library mode %.2f ms, geometric stage %.2f ms (ran on %.0f%%), ratio %.2fx; photos matched to a "
              "distinct library photo: %d\n",
              scanned / 3, static_cast<std::size_t>(std::count(other_half.begin(), other_half.end(), true)),
              today_ms / scanned, geometric_ms / scanned, 100.0 * ran / scanned,
              (today_ms + geometric_ms) / today_ms, hits);
  return 0;
}
