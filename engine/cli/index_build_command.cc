// `hashtriage index build --set NAME --category C DIR|FILE...`: library mode (issue 7). Hashes the
// known images themselves into the index: set NAME gets their MD5/SHA-1/SHA-256/PDQ (exportable),
// set NAME+robust the richer signature (trimmed content, centre crops, +/-4 degree rotations) and set
// NAME+region the PDQ of each usable 4x4 grid cell (caption bars, stickers), which scan, `hash` and
// `index lookup --file` search too (--no-region leaves the region set out), and NAME+features the local
// features of each picture (ORB keypoints and descriptors, ~60 KB a picture) for scan's geometric stage
// (--no-features leaves it out). Stores hashes and descriptors only, never pixels. Reads files
// read-only; one bad file is reported (path: reason) and counted, the rest still go in (exit 1). --category
// is required (an ungraded library must say so: --category unknown). When no file can be read the earlier
// build is left as it was (exit 1).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/cli/commands.h"
#include "engine/text/untrusted_text.h"
#include "index/known_index.h"
#include "index/library_builder.h"

namespace hashtriage::cli {
namespace {

struct IndexBuildOptions {
  std::string dir;
  std::string set;
  std::string category;
  std::vector<std::string> roots;
  bool no_region = false;
  bool no_features = false;
};

Result<int> RunIndexBuild(const IndexBuildOptions& o) {
  index::LibraryBuildOptions lo;
  lo.set = o.set;
  const auto category = index::ParseCategory(o.category);
  if (!category) return Status::InvalidArgument("index build: unknown --category '" + o.category + "'");
  lo.category = *category;
  lo.region_hashes = !o.no_region;
  lo.local_features = !o.no_features;
  index::IndexOptions io;
  io.path = o.dir.empty() ? index::DefaultIndexDir() : o.dir;
  io.read_only = false;
  io.load_pdq = false;
  io.exact_filter = false;
  HT_ASSIGN_OR_RETURN(auto idx, index::KnownIndex::Open(io));
  HT_ASSIGN_OR_RETURN(const auto report, index::BuildLibrarySets(*idx, lo, o.roots));
  for (const auto& e : report.errors) std::fprintf(stderr, "hashtriage: index build: %s\n", engine::TerminalText(e).c_str());
  auto total = [](const index::SetInfo& s) {
    unsigned long long n = 0;
    for (const auto& [type, count] : s.entries) n += count;
    return n;
  };
  std::printf("set %s: files %llu, images %llu, entries %llu\n", report.plain.name.c_str(),
              static_cast<unsigned long long>(report.files), static_cast<unsigned long long>(report.images),
              total(report.plain));
  std::printf("set %s: variant PDQ hashes %llu, entries %llu\n", report.robust.name.c_str(),
              static_cast<unsigned long long>(report.variant_hashes), total(report.robust));
  if (!report.region.name.empty()) {
    std::printf("set %s: region cell hashes %llu, entries %llu\n", report.region.name.c_str(),
                static_cast<unsigned long long>(report.region_cells), total(report.region));
  }
  if (!report.features.name.empty()) {
    std::printf("set %s: pictures with local features %llu\n", report.features.name.c_str(),
                static_cast<unsigned long long>(report.feature_pictures));
  }
  std::printf("failed: %llu\n", static_cast<unsigned long long>(report.failed));
  return report.failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void SetupIndexBuildCommand(CLI::App& app, CommandExit& exit) {
  CLI::App* group = SubcommandGroup(app, "index", "Manage and query the known-image index");
  auto o = std::make_shared<IndexBuildOptions>();
  auto* sub = group->add_subcommand("build", "Library mode: hash known images (PDQ + robust variants + region cells + local features) into four sets");
  AddIndexOption(sub, o->dir);
  sub->add_option("--set", o->set, "Set name (variants go to NAME+robust, region cells to NAME+region, local features to NAME+features)")->required();
  sub->add_flag("--no-region", o->no_region, "Do not store region cell hashes (no NAME+region set)");
  sub->add_flag("--no-features", o->no_features,
                "Do not store local features (no NAME+features set: scan's geometric stage cannot find these pictures)");
  sub->add_option("--category,--as", o->category,
                  "Category of every image: A, B, C, indecent-uncategorised, non-indecent, ignorable, or unknown "
                  "(stored ungraded: a match is reported as known material for specialist review)")
      ->required();
  sub->add_option("paths", o->roots, "Image files or directories")->required();
  sub->callback([o, &exit]() { RecordOutcome(RunIndexBuild(*o), exit); });
}

}  // namespace hashtriage::cli
