// Ingest throughput: enumerate a source and read every item's bytes, for the shared test photos laid out
// as a directory, a zip (stored and deflated), a tar.gz, a raw FAT image and the same image as E01.
// BM_PlainRead reads the same files with read(2) and is the baseline: the ratio says what the source
// layer costs. Fixtures are built at start-up in a temporary directory with zip, tar, mtools, ewfacquire.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ingest/evidence_source.h"

namespace {

namespace fs = std::filesystem;
using hashtriage::ingest::OpenEvidenceSource;
using hashtriage::ingest::SourceOptions;

struct Fixtures {
  fs::path root;
  std::vector<fs::path> files;
  std::uint64_t bytes = 0;

  Fixtures() {
    char tmpl[] = "/tmp/hashtriage-ingest-bench-XXXXXX";
    root = ::mkdtemp(tmpl);
    const fs::path photos = fs::path(HASHTRIAGE_TESTDATA_DIR) / "photos";
    const std::string q = "'" + root.string() + "'";
    const std::string cmd = "cd " + q + " && cp -r '" + photos.string() + "' tree && chmod -R u+w tree && "
                            "zip -q -r -0 stored.zip tree && zip -q -r deflated.zip tree && tar czf tree.tar.gz tree && "
                            "mkfs.fat -C disk.img 40960 >/dev/null && mcopy -s -i disk.img tree ::/ && "
                            "ewfacquire -q -u -t disk -f encase6 disk.img >/dev/null";
    if (std::system(cmd.c_str()) != 0) std::abort();
    for (const auto& e : fs::recursive_directory_iterator(root / "tree")) {
      if (e.is_regular_file()) {
        files.push_back(e.path());
        bytes += e.file_size();
      }
    }
  }
  ~Fixtures() { fs::remove_all(root); }
};

Fixtures& F() {
  static Fixtures f;
  return f;
}

void ScanAndRead(benchmark::State& state, const std::string& name) {
  const std::string path = (F().root / name).string();
  std::vector<std::byte> buf(1 << 20);
  std::uint64_t bytes = 0, items = 0;
  for (auto _ : state) {
    auto source = OpenEvidenceSource(path, SourceOptions{});
    if (!source.ok()) state.SkipWithError(source.status().ToString().c_str());
    for (;;) {
      auto next = (*source)->Next();
      if (!next.ok() || !next->has_value()) break;
      ++items;
      if (auto& reader = (**next).reader) {
        for (;;) {
          auto n = reader->Read(buf);
          if (!n.ok() || *n == 0) break;
          bytes += *n;
        }
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["items_per_scan"] = static_cast<double>(items) / static_cast<double>(state.iterations());
}

void BM_PlainRead(benchmark::State& state) {
  std::vector<char> buf(1 << 20);
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    for (const fs::path& p : F().files) {
      const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
      for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) bytes += static_cast<std::uint64_t>(n);
      ::close(fd);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_DirectorySource(benchmark::State& state) { ScanAndRead(state, "tree"); }
void BM_ZipStoredSource(benchmark::State& state) { ScanAndRead(state, "stored.zip"); }
void BM_ZipDeflatedSource(benchmark::State& state) { ScanAndRead(state, "deflated.zip"); }
void BM_TarGzSource(benchmark::State& state) { ScanAndRead(state, "tree.tar.gz"); }
void BM_RawFatImageSource(benchmark::State& state) { ScanAndRead(state, "disk.img"); }
void BM_E01FatImageSource(benchmark::State& state) { ScanAndRead(state, "disk.E01"); }

BENCHMARK(BM_PlainRead)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DirectorySource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZipStoredSource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZipDeflatedSource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TarGzSource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RawFatImageSource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_E01FatImageSource)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
