// The known-image index of the end-to-end benchmarks: 1M random MD5 + 1M random PDQ entries, plus the
// PDQ of every 50th of the given images (planted matches), imported with the hashtriage binary.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_process.h"
#include "hashing/image_hasher.h"

namespace hashtriage::bench {

namespace fs = std::filesystem;

// 1M random MD5 + 1M random PDQ entries, plus the PDQ of every 50th image (planted matches).
inline void BuildRandomIndex(const fs::path& work, const std::string& bin, const std::vector<fs::path>& images) {
  std::mt19937_64 rng(7);
  {
    std::ofstream md5(work / "random.md5");
    char line[64];
    for (int i = 0; i < 1'000'000; ++i) {
      std::snprintf(line, sizeof line, "%016llx%016llx  r%d\n", static_cast<unsigned long long>(rng()),
                    static_cast<unsigned long long>(rng()), i);
      md5 << line;
    }
    std::ofstream pdq(work / "random.pdq");
    for (int i = 0; i < 1'000'000; ++i) {
      hashing::PdqHash h;
      for (auto& w : h.words) w = rng();
      pdq << h.hex() << ",100,r" << i << "\n";
    }
    for (std::size_t i = 0; i < images.size(); i += 50) {
      auto hashes = hashing::HashImage(Slurp(images[i]));
      if (hashes.ok()) pdq << hashes->pdq.hash.hex() << ",100,planted" << i << "\n";
    }
  }
  const std::string index = (work / "index").string();
  Shell("'" + bin + "' index import --index '" + index + "' --set bench-md5 --format md5sum --category A '" +
        (work / "random.md5").string() + "' >/dev/null");
  Shell("'" + bin + "' index import --index '" + index + "' --set bench-pdq --format pdq --category B '" +
        (work / "random.pdq").string() + "' >/dev/null");
}

}  // namespace hashtriage::bench
