// The fuzz targets: one function per parser of untrusted input (and one for the rule that prints
// untrusted text), each taking arbitrary bytes. They are
// compiled twice: into libFuzzer executables (<target>_fuzzer, clang, -DHASHTRIAGE_FUZZ=ON, see
// scripts/fuzz) and into a plain library that tests/reliability/fuzz_replay_test.cc runs over the
// generated seed corpora and every kept crasher under any compiler (so the regressions stay in CTest).
// A target returns 0; it aborts (HT_FUZZ_CHECK) when an invariant of the parser is broken. Targets keep
// process-wide scratch state (a temporary directory, an index), so call them from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hashtriage::fuzz {

using FuzzFunction = int (*)(const std::uint8_t* data, std::size_t size);

struct FuzzTarget {
  std::string_view name;  // <name>_fuzzer is the libFuzzer executable, seeds/<name>/ its corpus
  FuzzFunction run;
};

// Every target, in the order scripts/fuzz runs them.
std::span<const FuzzTarget> AllTargets();

int FuzzImageDecode(const std::uint8_t* data, std::size_t size);
int FuzzVicsImport(const std::uint8_t* data, std::size_t size);
int FuzzIcseImport(const std::uint8_t* data, std::size_t size);
int FuzzNsrlImport(const std::uint8_t* data, std::size_t size);
int FuzzHashListImport(const std::uint8_t* data, std::size_t size);
int FuzzPdqImport(const std::uint8_t* data, std::size_t size);
int FuzzCsvImport(const std::uint8_t* data, std::size_t size);
int FuzzCsvReader(const std::uint8_t* data, std::size_t size);
int FuzzCybertipReferral(const std::uint8_t* data, std::size_t size);
int FuzzP2pReferral(const std::uint8_t* data, std::size_t size);
int FuzzCsvReferral(const std::uint8_t* data, std::size_t size);
int FuzzUfdrReport(const std::uint8_t* data, std::size_t size);
int FuzzArchive(const std::uint8_t* data, std::size_t size);
int FuzzDiskImage(const std::uint8_t* data, std::size_t size);
// Not a parser: the output rule for untrusted text (engine/text/untrusted_text.h), as properties.
int FuzzUntrustedText(const std::uint8_t* data, std::size_t size);
int FuzzVideoDecode(const std::uint8_t* data, std::size_t size);
int FuzzHeifPreview(const std::uint8_t* data, std::size_t size);

}  // namespace hashtriage::fuzz

// Aborts with a message when `cond` is false: a broken invariant is a finding, like a crash.
#define HT_FUZZ_CHECK(cond)                                                                   \
  do {                                                                                        \
    if (!(cond)) ::hashtriage::fuzz::internal::CheckFailed(#cond, __FILE__, __LINE__);        \
  } while (0)

// Defines the libFuzzer entry point for one target in its own executable only.
#ifdef HASHTRIAGE_LIBFUZZER
#define HT_FUZZ_ENTRY(function)                                                            \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {      \
    return ::hashtriage::fuzz::function(data, size);                                       \
  }
#else
#define HT_FUZZ_ENTRY(function)
#endif

namespace hashtriage::fuzz::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace hashtriage::fuzz::internal
