// `hashtriage rematch`: after the known-image index changed (a set imported, re-imported or removed),
// matches every evidence item and referral of the case again from the query hashes kept with them —
// the evidence is not read again — reports the hits gained and lost per evidence item, referral and
// subject, re-scores the subjects whose hits changed, and records it all in the audit log. Exits 10,
// as a scan does, when the case's evidence holds known material after re-matching (or hits were gained).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/cli/commands.h"
#include "engine/progress.h"
#include "engine/scan/rematch.h"
#include "engine/text/untrusted_text.h"
#include "index/known_index.h"

namespace hashtriage::cli {

namespace {

struct RematchCommandOptions {
  std::string case_dir;
  std::string index_dir;
  std::string now;
  bool json = false;
  std::string command_line;
};

Result<int> RunRematchCommand(const RematchCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  index::IndexOptions index_options;
  index_options.path = o.index_dir.empty() ? index::DefaultIndexDir() : o.index_dir;
  index_options.read_only = true;
  auto opened = index::KnownIndex::Open(index_options);
  if (!opened.ok()) return opened.status().WithContext("cannot open the known-image index");
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/false));
  HT_ASSIGN_OR_RETURN(const engine::RematchReport report, engine::RematchCase(*store, **opened, context));

  const nlohmann::json j = engine::RematchReportJson(report);
  const std::uint64_t gained = j["hits_gained"], lost = j["hits_lost"], region_gap = j["images_without_region_cells"],
                      geometric_gap = j["images_not_checked_geometrically"], not_compared = j["pictures_not_compared"];
  // Known material is "found" as a scan finds it: any evidence file matching now, or any hit gained.
  std::uint64_t files_with_hits = 0;
  for (const auto& e : report.evidence) files_with_hits += e.counts.files_with_hits;
  const bool known_material = files_with_hits > 0 || gained > 0;
  if (o.json) {
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("re-matched against %s\n", engine::TerminalText(report.index.Describe()).c_str());
    for (const auto& e : report.evidence) {
      std::printf("  evidence %u %s: %llu files, %llu changed: +%llu / -%llu hits (was %s)\n", e.number,
                  engine::TerminalText(e.id).c_str(),
                  static_cast<unsigned long long>(e.files_examined), static_cast<unsigned long long>(e.files_changed),
                  static_cast<unsigned long long>(e.hits_gained), static_cast<unsigned long long>(e.hits_lost),
                  engine::TerminalText(e.before.Describe()).c_str());
    }
    std::printf("  referrals: %llu examined, %zu with changed hits\n",
                static_cast<unsigned long long>(report.referrals_examined), report.referrals.size());
    for (const auto& s : report.subjects) {
      std::printf("  subject %s: +%llu / -%llu hits (re-scored)\n", engine::TerminalText(s.subject).c_str(),
                  static_cast<unsigned long long>(s.hits_gained), static_cast<unsigned long long>(s.hits_lost));
    }
    std::printf("rematch: %llu hits gained, %llu lost\n", static_cast<unsigned long long>(gained),
                static_cast<unsigned long long>(lost));
    if (known_material) {
      std::printf("Known indecent material is in this case: %llu evidence file(s) match the index now\n",
                  static_cast<unsigned long long>(files_with_hits));
    }
    if (region_gap > 0) {
      std::printf("note: %llu image(s) were hashed without region cells (their index had no library sets then); "
                  "scan that evidence again (into this case) to match them by region\n",
                  static_cast<unsigned long long>(region_gap));
    }
    if (geometric_gap > 0) {
      std::printf("note: %llu image(s) without hits were not compared with the library pictures added since their "
                  "scan (the geometric stage needs the pictures, not their hashes): scan that evidence again (into this "
                  "case) to compare them\n",
                  static_cast<unsigned long long>(geometric_gap));
    }
  }
  if (!report.rescore.ok()) {
    std::fprintf(stderr, "hashtriage: re-scoring after rematch: %s\n", engine::TerminalText(report.rescore.message()).c_str());
    return kExitFailure;
  }
  // Pictures the stored hashes cannot compare with the index as it is now: "nothing found" would be false
  // for them, so a run that leaves any is not a success unless known material was found anyway.
  if (!known_material && not_compared > 0) {
    std::fprintf(stderr,
                 "hashtriage: rematch: %llu picture(s) without hits could not be compared with the library as it is now "
                 "(no region cells, or not compared with a feature set added since their scan); scan that evidence "
                 "again into this case\n",
                 static_cast<unsigned long long>(not_compared));
    return kExitFailure;
  }
  return known_material ? kExitMatches : kExitOk;
}

}  // namespace

void SetupRematchCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<RematchCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "rematch", "Match every scanned file and referral of the case again against the current index (no re-reading)");
  AddCaseOption(sub, o->case_dir);
  AddIndexOption(sub, o->index_dir);
  AddNowOption(sub, o->now);
  sub->add_flag("--json", o->json, "JSON output");
  sub->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunRematchCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli
