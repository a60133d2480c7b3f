// Per-image cost of a scan (issue "Scan speed"), every figure a ratio against a peer measured in the
// same invocation. Data, generated into WORKDIR and reused: PHOTOS JPEGs like a phone's camera roll
// (the shared test photos cropped, resized to a longer side of 900-1600 px, sensor-like noise added,
// quality 80-95), 100 x 4 MB non-image files, and the 1M MD5 + 1M PDQ index (bench/bench_index.h).
//   (a) `hashtriage scan --threads 1` (four digests, PDQ with dihedral and query variants, matching) in
//       images per CPU-second, against Meta's `pdq-photo-hasher` computing PDQ alone on the same files
//       when PDQ_PHOTO_HASHER names a build of it, and against hashtriage's own `hash --pdq --compat`
//       (the photo hasher's full decode, 512x512 resize and PDQ: the stand-in that always runs);
//   (b) the scan's CPU per image against libjpeg-turbo decoding the same files (RGB out, this process)
//       at the DCT scale the scan uses, and at full size;
//   (c) non-image files, 2 threads: scan throughput against `hashdeep -c md5,sha1 -j2` (wall);
//   (d) photos, 1 -> 2 threads (wall, the two alternating), and the scan's peak RSS beyond the index's own;
//   (e) the agreement curve: bits between the default path's PDQ (and that of each smaller decode
//       floor) and the full-resolution PDQ and the --compat PDQ, on the reporting half of the photos
//       (odd-numbered; the tuning half is the even-numbered) and on the shared photos over 512 px.
// Each timed child runs three times, alternating with its peer; medians are printed.
// Usage: image_cost_bench WORKDIR [PHOTOS=1000] [HASHTRIAGE_BINARY]
#include <algorithm>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_index.h"
#include "bench/bench_process.h"
#include "bench/libjpeg_alone.h"
#include "hashing/image_hasher.h"

namespace fs = std::filesystem;
using namespace hashtriage;
using namespace hashtriage::bench;

namespace {

std::vector<cv::Mat> SharedPhotos(const fs::path& testdata) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(testdata / "photos")) {
    if (e.is_regular_file()) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<cv::Mat> photos;
  for (const auto& p : paths) {
    cv::Mat m = cv::imread(p.string(), cv::IMREAD_COLOR);
    if (!m.empty() && m.cols >= 128 && m.rows >= 128) photos.push_back(m);
  }
  return photos;
}

void GeneratePhotos(const fs::path& dir, int count, const fs::path& testdata) {
  const auto photos = SharedPhotos(testdata);
  std::mt19937 rng(20261206);
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    const cv::Mat& src = photos[rng() % photos.size()];
    const double keep = std::uniform_real_distribution<double>(0.7, 1.0)(rng);
    const int cw = std::max(16, static_cast<int>(src.cols * keep)), ch = std::max(16, static_cast<int>(src.rows * keep));
    const int x = static_cast<int>(rng() % static_cast<unsigned>(src.cols - cw + 1));
    const int y = static_cast<int>(rng() % static_cast<unsigned>(src.rows - ch + 1));
    const int longer = std::uniform_int_distribution<int>(900, 1600)(rng);
    const double s = static_cast<double>(longer) / std::max(cw, ch);
    cv::Mat sized;
    cv::resize(src(cv::Rect(x, y, cw, ch)), sized, cv::Size(std::max(1, static_cast<int>(cw * s)), std::max(1, static_cast<int>(ch * s))),
               0, 0, cv::INTER_CUBIC);
    cv::Mat noise(sized.size(), CV_16SC3);
    cv::randn(noise, 0, std::uniform_real_distribution<double>(1.0, 4.0)(rng));
    cv::Mat noisy;
    sized.convertTo(noisy, CV_16SC3);
    noisy += noise;
    noisy.convertTo(sized, CV_8UC3);
    std::vector<uchar> encoded;
    cv::imencode(".jpg", sized, encoded, {cv::IMWRITE_JPEG_QUALITY, std::uniform_int_distribution<int>(80, 95)(rng)});
    char name[32];
    std::snprintf(name, sizeof name, "IMG_%05d.jpg", i);
    WriteFile(dir / name, encoded.data(), encoded.size());
  }
}

void GenerateBlobs(const fs::path& dir) {
  std::mt19937_64 rng(4);
  fs::create_directories(dir);
  std::vector<std::uint64_t> data(4'000'000 / 8);
  for (int i = 0; i < 100; ++i) {
    for (auto& w : data) w = rng();
    WriteFile(dir / ("blob_" + std::to_string(i) + ".bin"), data.data(), data.size() * 8);
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Distances {
  std::vector<int> bits;
  void Add(int d) { bits.push_back(d); }
  std::string Describe() {
    if (bits.empty()) return "n/a";
    std::sort(bits.begin(), bits.end());
    double sum = 0;
    int within10 = 0, identical = 0;
    for (int b : bits) {
      sum += b;
      within10 += b <= 10;
      identical += b == 0;
    }
    char line[160];
    std::snprintf(line, sizeof line, "mean %4.1f  p95 %3d  max %3d  identical %5.1f%%  <=10 bits %5.1f%%", sum / bits.size(),
                  bits[bits.size() * 95 / 100], bits.back(), 100.0 * identical / bits.size(), 100.0 * within10 / bits.size());
    return line;
  }
};

// (e): PDQ at each decode floor against full resolution and --compat.
void AgreementCurve(const std::vector<fs::path>& reporting, const std::vector<fs::path>& shared_large) {
  const int defaults = hashing::DecodeOptions{}.min_short_side;
  std::vector<int> floors = {512, 384, 256, 192, 128, 96};
  if (std::find(floors.begin(), floors.end(), defaults) == floors.end()) floors.push_back(defaults);
  std::sort(floors.rbegin(), floors.rend());
  for (const auto* set : {&reporting, &shared_large}) {
    std::printf("\nagreement, %s (%zu JPEGs): bits from the full-resolution PDQ | from --compat (= pdq-photo-hasher)\n",
                set == &reporting ? "reporting half of the photos" : "shared test photos over 512 px", set->size());
    std::vector<std::pair<hashing::PdqHash, hashing::PdqHash>> truth;  // full, compat
    std::vector<std::vector<std::byte>> bytes;
    for (const auto& f : *set) {
      bytes.push_back(Slurp(f));
      hashing::ImageHashOptions full;
      full.decode.min_short_side = 0;
      full.query_variants = false;
      hashing::ImageHashOptions compat;
      compat.photo_hasher_compat = true;
      truth.emplace_back(hashing::HashImage(bytes.back(), full)->pdq.hash, hashing::HashImage(bytes.back(), compat)->pdq.hash);
    }
    for (int floor : floors) {
      Distances from_full, from_compat;
      double denominators = 0;
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        hashing::ImageHashOptions o;
        o.decode.min_short_side = floor;
        o.query_variants = false;
        const auto h = hashing::HashImage(bytes[i], o);
        if (!h.ok()) continue;
        from_full.Add(hashing::HammingDistance(h->pdq.hash, truth[i].first));
        from_compat.Add(hashing::HammingDistance(h->pdq.hash, truth[i].second));
        denominators += h->scale_denominator;
      }
      std::printf("  short side >= %3d%s (mean DCT scale 1/%.1f): full %s | compat %s\n", floor,
                  floor == defaults ? " (default)" : "          ", denominators / std::max<std::size_t>(1, bytes.size()),
                  from_full.Describe().c_str(), from_compat.Describe().c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: image_cost_bench WORKDIR [PHOTOS=1000] [HASHTRIAGE_BINARY]\n");
    return 2;
  }
  const fs::path work = fs::absolute(argv[1]);
  const int count = argc > 2 ? std::atoi(argv[2]) : 1000;
  const std::string bin = argc > 3 ? argv[3] : (fs::path(HASHTRIAGE_BINARY_DIR) / "hashtriage").string();
  const fs::path testdata = std::getenv("HASHTRIAGE_TESTDATA") ? fs::path(std::getenv("HASHTRIAGE_TESTDATA"))
                                                               : fs::path(HASHTRIAGE_TESTDATA_DIR);
  const char* meta = std::getenv("PDQ_PHOTO_HASHER");
  const fs::path photos_dir = work / ("photos-" + std::to_string(count)), blobs_dir = work / "blobs";
  fs::create_directories(work);
  if (!fs::exists(photos_dir)) GeneratePhotos(photos_dir, count, testdata);
  if (!fs::exists(blobs_dir)) GenerateBlobs(blobs_dir);
  std::vector<fs::path> photos;
  std::uint64_t bytes = 0;
  double megapixels = 0;
  for (const auto& e : fs::directory_iterator(photos_dir)) photos.push_back(e.path());
  std::sort(photos.begin(), photos.end());
  for (const auto& p : photos) bytes += fs::file_size(p);
  if (!fs::exists(work / "index")) BuildRandomIndex(work, bin, photos);
  Shell("cat '" + photos_dir.string() + "'/* '" + blobs_dir.string() + "'/* > /dev/null");

  // The DCT scale the scan uses for each photo, and the photos' size.
  std::vector<std::vector<std::byte>> loaded;
  std::vector<int> denominators;
  for (const auto& p : photos) {
    loaded.push_back(Slurp(p));
    const auto h = hashing::HashImage(loaded.back(), {});
    denominators.push_back(h.ok() ? h->scale_denominator : 1);
    if (h.ok()) megapixels += h->width * static_cast<double>(h->height) / 1e6;
  }
  const std::size_t n = photos.size();
  std::printf("photos: %zu JPEGs, %.1f MB, mean %.2f MP (longer side 900-1600 px); index 1M md5 + 1M pdq (+planted)\n", n,
              bytes / 1e6, megapixels / n);

  auto scan = [&](const fs::path& dir, int threads) {
    const fs::path case_dir = work / "case";
    fs::remove_all(case_dir);
    return RunChild({bin, "scan", "--case", case_dir.string(), "--index", (work / "index").string(), "--threads",
                     std::to_string(threads), dir.string()});
  };
  std::vector<std::string> meta_args = {meta ? meta : "", "--pdq"};
  for (const auto& p : photos) meta_args.push_back(p.string());
  std::vector<double> scan_cpu, meta_cpu, compat_cpu, decode_scaled, decode_as_scan, decode_full;
  int scan_exit = -1;
  std::vector<unsigned char> row;
  for (int k = 0; k < 3; ++k) {
    const ChildRun s = scan(photos_dir, 1);
    scan_cpu.push_back(s.cpu_seconds);
    scan_exit = s.exit_code();
    if (meta) meta_cpu.push_back(RunChild(meta_args).cpu_seconds);
    compat_cpu.push_back(
        RunChild({bin, "hash", "--pdq", "--compat", "--threads", "1", "-r", photos_dir.string()}).cpu_seconds);
    double t = ProcessCpuSeconds();
    for (std::size_t i = 0; i < n; ++i) LibjpegDecodeScaled(loaded[i], denominators[i], row);
    decode_scaled.push_back(ProcessCpuSeconds() - t);
    // As the scan decodes: a scaled colour JPEG as its Y channel only (hashing/jpeg_decoder.cc).
    t = ProcessCpuSeconds();
    for (std::size_t i = 0; i < n; ++i) {
      LibjpegDecodeScaled(loaded[i], denominators[i], row, denominators[i] > 1 ? JCS_GRAYSCALE : JCS_RGB);
    }
    decode_as_scan.push_back(ProcessCpuSeconds() - t);
    t = ProcessCpuSeconds();
    for (std::size_t i = 0; i < n; ++i) LibjpegDecodeScaled(loaded[i], 1, row);
    decode_full.push_back(ProcessCpuSeconds() - t);
  }
  const double ms = 1000.0 / n;
  const double scan_ms = Median(scan_cpu) * ms;
  std::printf("\n(a) one thread, CPU per image (median of 3 alternating runs):\n");
  std::printf("  hashtriage scan --threads 1 (4 digests, PDQ + dihedral + query variants, matching): %.2f ms (%.0f images/CPU-s), exit %d\n",
              scan_ms, 1000.0 / scan_ms, scan_exit);
  if (meta) {
    const double meta_ms = Median(meta_cpu) * ms;
    std::printf("  Meta pdq-photo-hasher --pdq (%s): %.2f ms\n", meta, meta_ms);
    std::printf("RATIO (a) scan images/CPU-s vs Meta's pdq-photo-hasher: %.2fx\n", meta_ms / scan_ms);
  } else {
    std::printf("  Meta pdq-photo-hasher: not run (set PDQ_PHOTO_HASHER to a build of it)\n");
  }
  const double compat_ms = Median(compat_cpu) * ms;
  std::printf("  hashtriage hash --pdq --compat --threads 1 (the photo hasher's path, PDQ only): %.2f ms\n", compat_ms);
  std::printf("RATIO (a') scan images/CPU-s vs hash --pdq --compat: %.2fx\n", compat_ms / scan_ms);
  std::printf("\n(b) libjpeg-turbo decoding the same files, this process: RGB at the scan's DCT scale %.2f ms, as the scan "
              "decodes (Y only where scaled) %.2f ms, RGB full size %.2f ms\n",
              Median(decode_scaled) * ms, Median(decode_as_scan) * ms, Median(decode_full) * ms);
  std::printf("RATIO (b) scan CPU per image / libjpeg-turbo RGB at the scan's scale: %.2fx\n", scan_ms / (Median(decode_scaled) * ms));
  std::printf("RATIO (b') scan CPU per image / libjpeg-turbo decoding as the scan does: %.2fx\n",
              scan_ms / (Median(decode_as_scan) * ms));

  // A forked child's peak RSS starts at this process's RSS (until it execs): let the photos go first.
  std::vector<std::vector<std::byte>>().swap(loaded);

  // (c) non-image data, 2 threads.
  std::vector<double> blob_scan, blob_hashdeep;
  const bool hashdeep = std::system("command -v hashdeep >/dev/null") == 0;
  for (int k = 0; k < 3; ++k) {
    blob_scan.push_back(scan(blobs_dir, 2).seconds);
    if (hashdeep) {
      blob_hashdeep.push_back(Shell("hashdeep -c md5,sha1 -r -j2 '" + blobs_dir.string() + "' > /dev/null"));
    }
  }
  std::printf("\n(c) 100 x 4 MB non-image files, 2 threads, wall (median of 3 alternating): scan %.2f s (%.0f MB/s)", Median(blob_scan),
              400.0 / Median(blob_scan));
  if (hashdeep) {
    std::printf(", hashdeep -c md5,sha1 -j2 %.2f s (%.0f MB/s)\n", Median(blob_hashdeep), 400.0 / Median(blob_hashdeep));
    std::printf("RATIO (c) scan throughput vs hashdeep (all four digests vs two): %.2fx\n", Median(blob_hashdeep) / Median(blob_scan));
  } else {
    std::printf("; hashdeep not installed (scripts/install-deps installs it)\n");
  }

  // (d) scaling and memory.
  // The memory a scan needs before any file: the same scan of an empty directory (index and case open).
  fs::create_directories(work / "empty");
  const ChildRun index_only = scan(work / "empty", 2);
  // One and two threads alternate here, so a machine that speeds up or slows down during the bench
  // (seen: the same scan 5.2 s and 6.8 s an hour apart) weighs on both alike.
  std::vector<double> one, two;
  long two_rss = 0;
  for (int k = 0; k < 3; ++k) {
    one.push_back(scan(photos_dir, 1).seconds);
    const ChildRun r = scan(photos_dir, 2);
    two.push_back(r.seconds);
    two_rss = std::max(two_rss, r.max_rss_kb);
  }
  std::printf("\n(d) photos, wall (medians of 3, alternating): 1 thread %.2f s, 2 threads %.2f s (%.0f images/s)\n",
              Median(one), Median(two), n / Median(two));
  std::printf("RATIO (d) scaling 1 -> 2 threads: %.2fx\n", Median(one) / Median(two));
  std::printf("peak RSS: scan with 2 threads %.0f MB, of an empty directory (index and case open) %.0f MB; beyond that %.0f MB\n",
              two_rss / 1024.0, index_only.max_rss_kb / 1024.0, (two_rss - index_only.max_rss_kb) / 1024.0);

  // (e) the agreement curve.
  std::vector<fs::path> reporting, shared_large;
  for (std::size_t i = 1; i < n; i += 2) reporting.push_back(photos[i]);
  for (const auto& e : fs::recursive_directory_iterator(testdata / "photos")) {
    if (!e.is_regular_file() || e.path().extension() != ".jpg") continue;
    const auto h = hashing::HashImage(Slurp(e.path()), {});
    if (h.ok() && std::max(h->width, h->height) > 512) shared_large.push_back(e.path());
  }
  std::sort(shared_large.begin(), shared_large.end());
  AgreementCurve(reporting, shared_large);
  return 0;
}
