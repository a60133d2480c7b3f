// Hashing hot paths: digest throughput per algorithm and combined, JPEG decode full vs DCT-scaled,
// PDQ on a 512x512 plane (plain and dihedral), and end-to-end `hash --pdq` work per 12-megapixel
// JPEG against (a) full decode + full-resolution PDQ and (b) libjpeg-turbo alone decoding at the
// chosen scale. The 12 MP JPEGs are made in memory from ../shared/testdata photos (upscale, q90).
// Release builds only. Ratios: see bench/run-hashing-bench.
#include <benchmark/benchmark.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/libjpeg_alone.h"
#include "hashing/digests.h"
#include "hashing/image_hasher.h"
#include "hashing/pdq.h"

namespace {

using namespace hashtriage::hashing;

std::string TestData() {
  const char* env = std::getenv("HASHTRIAGE_TESTDATA");
  return env ? env : HASHTRIAGE_TESTDATA_DIR;
}

const std::vector<std::byte>& RandomBuffer() {
  static const std::vector<std::byte> buffer = [] {
    std::vector<std::byte> b(64 << 20);
    std::mt19937_64 rng(1);
    for (std::size_t i = 0; i < b.size(); i += 8) {
      const std::uint64_t v = rng();
      std::memcpy(&b[i], &v, 8);
    }
    return b;
  }();
  return buffer;
}

void BM_Digest(benchmark::State& state, DigestSet set) {
  const auto& buffer = RandomBuffer();
  for (auto _ : state) {
    benchmark::DoNotOptimize(DigestBytes(buffer, set));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buffer.size()));
}
BENCHMARK_CAPTURE(BM_Digest, md5, DigestSet().Add(DigestKind::kMd5))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Digest, sha1, DigestSet().Add(DigestKind::kSha1))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Digest, sha256, DigestSet().Add(DigestKind::kSha256))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Digest, xxh3, DigestSet().Add(DigestKind::kXxh3))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Digest, md5_sha1_xxh3,
                  DigestSet().Add(DigestKind::kMd5).Add(DigestKind::kSha1).Add(DigestKind::kXxh3))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Digest, all4, DigestSet::All())->Unit(benchmark::kMillisecond);

// Eight 4000x3000 q90 JPEGs made from different test photos.
const std::vector<std::vector<std::byte>>& TwelveMegapixelJpegs() {
  static const std::vector<std::vector<std::byte>> files = [] {
    std::vector<std::vector<std::byte>> out;
    for (const char* name : {"photos/scratch/kitchen.jpg", "photos/opencv/baboon.jpg", "photos/skimage/astronaut.png",
                             "photos/opencv/fruits.jpg", "photos/skimage/coffee.png", "photos/opencv/building.jpg",
                             "photos/scratch/route66.jpg", "photos/skimage/chelsea.png"}) {
      cv::Mat img = cv::imread(TestData() + "/" + name, cv::IMREAD_COLOR);
      if (img.empty()) continue;
      cv::Mat big;
      cv::resize(img, big, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
      std::vector<uchar> encoded;
      cv::imencode(".jpg", big, encoded, {cv::IMWRITE_JPEG_QUALITY, 90});
      out.emplace_back(reinterpret_cast<const std::byte*>(encoded.data()),
                       reinterpret_cast<const std::byte*>(encoded.data()) + encoded.size());
    }
    return out;
  }();
  return files;
}

void SetImageCounters(benchmark::State& state, std::size_t images_per_iteration) {
  state.counters["images_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * images_per_iteration), benchmark::Counter::kIsRate);
}

// hashtriage's default path: DCT-scaled decode (short side >= 512) + PDQ.
void BM_HashImage12MP_Scaled(benchmark::State& state) {
  const auto& files = TwelveMegapixelJpegs();
  for (auto _ : state) {
    for (const auto& f : files) benchmark::DoNotOptimize(HashImage(f));
  }
  SetImageCounters(state, files.size());
}
BENCHMARK(BM_HashImage12MP_Scaled)->Unit(benchmark::kMillisecond);

// Baseline: full-resolution decode + full-resolution PDQ.
void BM_HashImage12MP_Full(benchmark::State& state) {
  const auto& files = TwelveMegapixelJpegs();
  ImageHashOptions options;
  options.decode.min_short_side = 0;
  for (auto _ : state) {
    for (const auto& f : files) benchmark::DoNotOptimize(HashImage(f, options));
  }
  SetImageCounters(state, files.size());
}
BENCHMARK(BM_HashImage12MP_Full)->Unit(benchmark::kMillisecond);

void BM_Decode12MP(benchmark::State& state) {
  const auto& files = TwelveMegapixelJpegs();
  DecodeOptions options;
  options.min_short_side = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (const auto& f : files) benchmark::DoNotOptimize(DecodeImage(f, options));
  }
  SetImageCounters(state, files.size());
}
BENCHMARK(BM_Decode12MP)->Arg(0)->Arg(512)->Unit(benchmark::kMillisecond);

// libjpeg-turbo alone, decoding to RGB at the scale hashtriage chooses (1/4 for 4000x3000).
void BM_LibjpegTurboDecode12MP(benchmark::State& state) {
  const auto& files = TwelveMegapixelJpegs();
  std::vector<unsigned char> pixels;
  for (auto _ : state) {
    for (const auto& f : files) benchmark::DoNotOptimize(hashtriage::bench::LibjpegDecodeScaled(f, static_cast<int>(state.range(0)), pixels));
  }
  SetImageCounters(state, files.size());
}
BENCHMARK(BM_LibjpegTurboDecode12MP)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);

LumaImage Plane512() {
  LumaImage img;
  img.width = img.height = 512;
  img.pixels.resize(512 * 512);
  std::mt19937 rng(2);
  for (int y = 0; y < 512; ++y)
    for (int x = 0; x < 512; ++x) img.pixels[y * 512 + x] = static_cast<float>((x ^ y) % 256 + rng() % 16);
  return img;
}

void BM_Pdq512(benchmark::State& state) {
  const LumaImage img = Plane512();
  for (auto _ : state) benchmark::DoNotOptimize(ComputePdq(img));
  SetImageCounters(state, 1);
}
BENCHMARK(BM_Pdq512)->Unit(benchmark::kMicrosecond);

void BM_PdqDihedral512(benchmark::State& state) {
  const LumaImage img = Plane512();
  for (auto _ : state) benchmark::DoNotOptimize(ComputePdqDihedral(img));
  SetImageCounters(state, 1);
}
BENCHMARK(BM_PdqDihedral512)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
