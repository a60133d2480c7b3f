// End-to-end scan benchmark. Builds a synthetic "phone dump" from ../shared/testdata photos (JPEGs of
// 1-12 MP made by crop + resize + re-encode at q90, PNGs, HEICs, non-image "video/other" files, zips,
// duplicates) and a known-image index of 1M MD5 + 1M PDQ random entries (plus planted hashes of some
// dump photos), then in ONE run:
//   - single-stage costs, one thread, in this process: enumerate, read+digest (MD5+SHA-1+SHA-256+XXH3),
//     decode-at-scale+PDQ (dihedral), match (exact lookups + PDQ radius search of 8 dihedral hashes);
//   - `hashtriage scan` as a child process with --threads 1 and with all cores (wall time, peak RSS);
//   - the baseline `md5sum` + `sha1sum` over the same files;
// and prints files/s, MB/s, images/s and the ratios. With a BASELINE_BINARY (an earlier build of
// hashtriage), both binaries then scan the same dump with all cores, alternately, three times each, and
// the ratio of the median wall times is printed (a change's cost measured in one run). Usage:
//   scan_bench WORKDIR [FILES=4000] [HASHTRIAGE_BINARY] [BASELINE_BINARY]
// Generated data is kept in WORKDIR and reused by later runs.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_index.h"
#include "bench/bench_process.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "index/known_index.h"
#include "ingest/evidence_source.h"

namespace fs = std::filesystem;
using namespace hashtriage;
using namespace hashtriage::bench;

namespace {

// The synthetic dump: ~60% JPEG 1-12 MP, 8% PNG, 2% HEIC, 25% other, 5% duplicates, plus 2 zips.
void GenerateDump(const fs::path& dir, int files, const fs::path& testdata) {
  std::vector<cv::Mat> photos;
  for (const auto& e : fs::recursive_directory_iterator(testdata / "photos")) {
    if (!e.is_regular_file()) continue;
    cv::Mat m = cv::imread(e.path().string(), cv::IMREAD_COLOR);
    if (!m.empty() && m.cols >= 256 && m.rows >= 256) photos.push_back(m);
  }
  std::mt19937 rng(20261122);
  fs::create_directories(dir / "DCIM/Camera");
  fs::create_directories(dir / "WhatsApp/Media");
  fs::create_directories(dir / "Android/data");
  fs::create_directories(dir / "Download");
  std::vector<fs::path> made;
  for (int i = 0; i < files; ++i) {
    const int kind = static_cast<int>(rng() % 100);
    fs::path path;
    if (kind < 60) {
      const cv::Mat& src = photos[rng() % photos.size()];
      const double mp = 1.0 + (rng() % 1100) / 100.0;  // 1..12 MP
      const int w = static_cast<int>(std::sqrt(mp * 1e6 * 4 / 3)), h = w * 3 / 4;
      const int cx = static_cast<int>(rng() % std::max(1, src.cols / 10)), cy = static_cast<int>(rng() % std::max(1, src.rows / 10));
      cv::Mat crop = src(cv::Rect(cx, cy, src.cols - cx - static_cast<int>(rng() % std::max(1, src.cols / 10)),
                                  src.rows - cy - static_cast<int>(rng() % std::max(1, src.rows / 10))));
      cv::Mat big;
      cv::resize(crop, big, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
      std::vector<uchar> enc;
      cv::imencode(".jpg", big, enc, {cv::IMWRITE_JPEG_QUALITY, 90});
      path = dir / (i % 3 ? "DCIM/Camera" : "WhatsApp/Media") / ("IMG_" + std::to_string(i) + ".jpg");
      WriteFile(path, enc.data(), enc.size());
    } else if (kind < 68) {
      const cv::Mat& src = photos[rng() % photos.size()];
      cv::Mat small;
      cv::resize(src, small, cv::Size(640, 480));
      small.at<cv::Vec3b>(0, 0) = cv::Vec3b(static_cast<uchar>(i), static_cast<uchar>(i >> 8), 7);
      std::vector<uchar> enc;
      cv::imencode(".png", small, enc);
      path = dir / "Download" / ("screenshot_" + std::to_string(i) + ".png");
      WriteFile(path, enc.data(), enc.size());
    } else if (kind < 70) {
      const cv::Mat& src = photos[rng() % photos.size()];
      const fs::path tmp = dir / ("heic_src_" + std::to_string(i) + ".jpg");
      cv::imwrite(tmp.string(), src);
      path = dir / "DCIM/Camera" / ("IMG_" + std::to_string(i) + ".heic");
      std::system(("heif-enc -q 60 '" + tmp.string() + "' -o '" + path.string() + "' >/dev/null 2>&1").c_str());
      fs::remove(tmp);
    } else if (kind < 95) {
      std::vector<std::uint32_t> data((20'000 + rng() % 2'000'000) / 4);
      for (auto& w : data) w = rng();
      path = dir / "Android/data" / ("blob_" + std::to_string(i) + (i % 2 ? ".mp4" : ".db"));
      WriteFile(path, data.data(), data.size() * 4);
    } else if (!made.empty()) {
      const fs::path& original = made[rng() % made.size()];
      path = dir / "Download" / ("copy_" + std::to_string(i) + original.extension().string());
      fs::copy_file(original, path, fs::copy_options::overwrite_existing);
    }
    if (!path.empty()) made.push_back(path);
  }
  Shell("cd '" + dir.string() + "' && zip -q -0 Download/backup1.zip DCIM/Camera/IMG_1*.jpg && zip -q Download/backup2.zip Android/data/blob_2*.db");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: scan_bench WORKDIR [FILES=4000] [HASHTRIAGE_BINARY]\n");
    return 2;
  }
  const fs::path work = fs::absolute(argv[1]);
  const int files = argc > 2 ? std::atoi(argv[2]) : 4000;
  const std::string bin = argc > 3 ? argv[3] : (fs::path(HASHTRIAGE_BINARY_DIR) / "hashtriage").string();
  const fs::path testdata = std::getenv("HASHTRIAGE_TESTDATA") ? fs::path(std::getenv("HASHTRIAGE_TESTDATA"))
                                                               : fs::path(HASHTRIAGE_TESTDATA_DIR);
  const fs::path dump = work / ("dump-" + std::to_string(files));
  fs::create_directories(work);
  if (!fs::exists(dump)) {
    std::printf("generating %d files in %s ...\n", files, dump.c_str());
    const auto t = Clock::now();
    GenerateDump(dump, files, testdata);
    std::printf("  generated in %.0f s\n", Seconds(t));
  }
  std::vector<fs::path> all, images;
  std::uint64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dump)) {
    if (!e.is_regular_file()) continue;
    all.push_back(e.path());
    bytes += e.file_size();
    const auto ext = e.path().extension().string();
    if (ext == ".jpg" || ext == ".png" || ext == ".heic") images.push_back(e.path());
  }
  std::sort(all.begin(), all.end());
  std::sort(images.begin(), images.end());
  if (!fs::exists(work / "index")) {
    std::printf("building the 1M+1M-entry index ...\n");
    BuildRandomIndex(work, bin, images);
  }
  // Warm the page cache so every measurement reads from memory alike.
  Shell("cat $(find '" + dump.string() + "' -type f) > /dev/null");

  // --- single-stage costs, one thread ---
  auto t = Clock::now();
  {
    auto src = ingest::OpenEvidenceSource(dump.string());
    std::size_t n = 0;
    while (true) {
      auto item = (*src)->Next();
      if (!item.ok() || !item->has_value()) break;
      ++n;
    }
  }
  const double t_enumerate = Seconds(t);
  t = Clock::now();
  for (const auto& f : all) {
    const auto data = Slurp(f);
    hashing::DigestBytes(data, hashing::DigestSet::All());
  }
  const double t_digest = Seconds(t);
  std::vector<hashing::ImageHashes> hashed;
  hashing::ImageHashOptions image_options;
  image_options.dihedral = true;
  t = Clock::now();
  for (const auto& f : images) {
    auto h = hashing::HashImage(Slurp(f), image_options);
    if (h.ok()) hashed.push_back(*h);
  }
  const double t_pdq = Seconds(t);
  index::IndexOptions index_options;
  index_options.path = (work / "index").string();
  t = Clock::now();
  auto known = index::KnownIndex::Open(index_options);
  const double t_index_open = Seconds(t);
  if (!known.ok()) {
    std::fprintf(stderr, "index: %s\n", known.status().ToString().c_str());
    return 1;
  }
  std::vector<hashing::DigestValues> digests;
  for (const auto& f : all) digests.push_back(hashing::DigestBytes(Slurp(f), hashing::DigestSet::All()));
  t = Clock::now();
  std::size_t pdq_matches = 0;
  for (const auto& d : digests) {
    (*known)->LookupMd5(std::span(&*d.md5, 1)).status().IgnoreError();
    (*known)->LookupSha1(std::span(&*d.sha1, 1)).status().IgnoreError();
    (*known)->LookupSha256(std::span(&*d.sha256, 1)).status().IgnoreError();
  }
  for (const auto& h : hashed) {
    auto r = (*known)->SearchPdq(std::span(h.dihedral->data(), h.dihedral->size()), 31);
    if (r.ok()) for (const auto& q : *r) pdq_matches += q.size();
  }
  const double t_match = Seconds(t);
  known->reset();

  // --- the real scan, as a child process ---
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto scan = [&](int threads) {
    const fs::path case_dir = work / ("case-t" + std::to_string(threads));
    fs::remove_all(case_dir);
    return RunChild({bin, "scan", "--case", case_dir.string(), "--index", (work / "index").string(), "--threads",
                     std::to_string(threads), dump.string()});
  };
  const ChildRun index_only = RunChild({bin, "index", "stats", "--index", (work / "index").string()});
  const ChildRun one = scan(1);
  const ChildRun many = scan(static_cast<int>(cores));
  const double t_base = Shell("find '" + dump.string() + "' -type f -print0 | xargs -0 md5sum > /dev/null") +
                        Shell("find '" + dump.string() + "' -type f -print0 | xargs -0 sha1sum > /dev/null");

  const double stages = t_enumerate + t_digest + t_pdq + t_match;
  const double mb = bytes / 1e6;
  std::printf("\nsynthetic phone dump: %zu files, %zu images, %.1f MB; index 1M md5 + 1M pdq (+planted); %u cores\n",
              all.size(), images.size(), mb, cores);
  std::printf("single-stage costs (1 thread): enumerate %.2f s, read+digest %.2f s, decode+PDQ(dihedral) %.2f s, match %.2f s "
              "(%zu PDQ matches); sum %.2f s; index open %.2f s\n",
              t_enumerate, t_digest, t_pdq, t_match, pdq_matches, stages, t_index_open);
  std::printf("scan --threads 1:  %.2f s (exit %d), peak RSS %.0f MB\n", one.seconds, WEXITSTATUS(one.status), one.max_rss_kb / 1024.0);
  std::printf("scan --threads %u:  %.2f s (exit %d), peak RSS %.0f MB; index alone (index stats) %.0f MB, %.2f s\n", cores,
              many.seconds, WEXITSTATUS(many.status), many.max_rss_kb / 1024.0, index_only.max_rss_kb / 1024.0, index_only.seconds);
  std::printf("throughput (%u threads): %.0f files/s, %.1f MB/s, %.0f images/s\n", cores, all.size() / many.seconds,
              mb / many.seconds, images.size() / many.seconds);
  std::printf("RATIO (a) vs md5sum+sha1sum (%.2f s): %.2fx the baseline's time\n", t_base, many.seconds / t_base);
  std::printf("RATIO (b) pipeline efficiency: (sum of stages / cores) / wall = %.2f  (excluding index open: %.2f)\n",
              stages / cores / many.seconds, stages / cores / std::max(0.01, many.seconds - index_only.seconds));
  std::printf("RATIO (c) scaling 1 -> %u threads: %.2fx  (excluding index open: %.2fx)\n", cores, one.seconds / many.seconds,
              (one.seconds - index_only.seconds) / std::max(0.01, many.seconds - index_only.seconds));
  std::printf("peak RSS beyond the index: %.0f MB\n", (many.max_rss_kb - index_only.max_rss_kb) / 1024.0);

  if (argc > 4) {
    // This build against a baseline build, same dump, same index, same run, alternating.
    const std::string baseline = argv[4];
    auto scan_with = [&](const std::string& binary, int k) {
      const fs::path case_dir = work / ("case-compare-" + std::to_string(k));
      fs::remove_all(case_dir);
      return RunChild({binary, "scan", "--case", case_dir.string(), "--index", (work / "index").string(), "--threads",
                       std::to_string(cores), dump.string()});
    };
    std::vector<double> mine, theirs;
    for (int k = 0; k < 3; ++k) {
      theirs.push_back(scan_with(baseline, 2 * k).seconds);
      mine.push_back(scan_with(bin, 2 * k + 1).seconds);
    }
    std::sort(mine.begin(), mine.end());
    std::sort(theirs.begin(), theirs.end());
    std::printf("RATIO (d) this build vs %s, %u threads, median of 3 alternating runs: %.2f s vs %.2f s = %.3fx the "
                "baseline's time (%.0f vs %.0f files/s)\n",
                baseline.c_str(), cores, mine[1], theirs[1], mine[1] / theirs[1], all.size() / mine[1],
                all.size() / theirs[1]);
  }
  return 0;
}
