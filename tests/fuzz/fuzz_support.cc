#include "tests/fuzz/fuzz_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "tests/fuzz/fuzz_targets.h"

namespace hashtriage::fuzz::internal {

namespace {

// The scratch directory, created on first use under $TMPDIR and removed at normal exit.
class Scratch {
 public:
  static Scratch& Get() {
    static Scratch* scratch = new Scratch();  // never destroyed: atexit below removes the files
    return *scratch;
  }
  const std::string& dir() const { return dir_; }

 private:
  Scratch() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/hashtriage-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("hashtriage fuzz: mkdtemp");
      std::abort();
    }
    dir_ = pattern;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(Get().dir(), ec);
    });
  }
  std::string dir_;
};

}  // namespace

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "hashtriage fuzz: invariant broken at %s:%d: %s\n", file, line, condition);
  std::abort();
}

std::string WriteScratchFile(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::string path = Scratch::Get().dir() + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  HT_FUZZ_CHECK(fd >= 0);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    HT_FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

void RunImport(const std::uint8_t* data, std::size_t size, index::ImportOptions options, const char* file_name) {
  static std::unique_ptr<index::KnownIndex> known = [] {
    index::IndexOptions o;
    o.path = Scratch::Get().dir() + "/index";
    o.read_only = false;
    o.import_memory_bytes = 1 << 20;  // small runs: long inputs also exercise the spill/merge path
    auto opened = index::KnownIndex::Open(o);
    HT_FUZZ_CHECK(opened.ok());
    return std::move(opened).value();
  }();
  const std::string path = WriteScratchFile(file_name, data, size);
  options.max_examples = 5;
  auto summary = index::ImportSet(*known, "fuzz", {path}, options);
  if (!summary.ok()) {
    HT_FUZZ_CHECK(!summary.status().message().empty());
    return;
  }
  // Every record is either rejected or staged; a rejection always has a reason class.
  HT_FUZZ_CHECK(summary->records_rejected <= summary->records_read);
  std::uint64_t by_reason = 0;
  for (const auto& [reason, count] : summary->rejected_by_reason) {
    HT_FUZZ_CHECK(!reason.empty());
    by_reason += count;
  }
  HT_FUZZ_CHECK(by_reason == summary->records_rejected);
  HT_FUZZ_CHECK(summary->rejection_examples.size() <= options.max_examples);
  if (options.strict) HT_FUZZ_CHECK(summary->records_rejected == 0);
  // A set is replaced only by an import that accepted something.
  HT_FUZZ_CHECK(summary->records_rejected < summary->records_read);
  std::uint64_t stored = 0;
  for (const auto& [type, n] : summary->commit.set.entries) stored += n;
  HT_FUZZ_CHECK(stored > 0);
}

int RunImportOf(index::ImportFormat format, const std::uint8_t* data, std::size_t size, const char* file_name) {
  index::ImportOptions options;
  options.format = format;
  options.strict = size > 0 && (data[0] & 1) != 0;
  // PDQ lists need a category; for VICS it is the default of Media without one (both paths explored).
  if (format == index::ImportFormat::kPdq || (size > 0 && (data[0] & 2) != 0)) options.category = index::Category::kB;
  RunImport(data, size, options, file_name);
  return 0;
}

}  // namespace hashtriage::fuzz::internal
