#include "engine/scan_report.h"

#include <fmt/format.h>

#include "engine/file_record.h"
#include "engine/text/untrusted_text.h"

namespace hashtriage::engine {

namespace {

EvidenceSummary Totals(const ScanSummary& summary) {
  EvidenceSummary t;
  for (const auto& e : summary.evidence) {
    t.files += e.files;
    t.images += e.images;
    t.bytes += e.bytes;
    t.errors += e.errors;
    t.files_with_hits += e.files_with_hits;
    for (int c = 0; c < index::kCategoryCount; ++c) {
      t.by_category[c].exact += e.by_category[c].exact;
      t.by_category[c].near += e.by_category[c].near;
    }
  }
  return t;
}

nlohmann::json CategoriesJson(const EvidenceSummary& e) {
  nlohmann::json j = nlohmann::json::object();
  for (int c = 0; c < index::kCategoryCount; ++c) {
    if (e.by_category[c].exact + e.by_category[c].near == 0) continue;
    j[std::string(index::CategoryName(static_cast<index::Category>(c)))] = {{"exact", e.by_category[c].exact},
                                                                           {"near", e.by_category[c].near}};
  }
  return j;
}

constexpr index::Category kIndecentOrder[] = {index::Category::kA, index::Category::kB, index::Category::kC,
                                              index::Category::kIndecentUncategorised};

}  // namespace

nlohmann::json ScanSummaryToJson(const ScanSummary& summary) {
  nlohmann::json j;
  j["seconds"] = summary.seconds;
  auto& list = j["evidence"] = nlohmann::json::array();
  for (const auto& e : summary.evidence) {
    nlohmann::json ej{{"number", e.number},   {"id", e.id},         {"source", e.source},
                      {"type", e.type},       {"files", e.files},   {"images", e.images},
                      {"bytes", e.bytes},     {"errors", e.errors}, {"files_with_hits", e.files_with_hits},
                      {"categories", CategoriesJson(e)}, {"integrity", e.integrity},
                      {"already_complete", e.already_complete}, {"resumed_from_item", e.resumed_from}};
    if (!e.failure.empty()) ej["failure"] = e.failure;
    if (!e.verified_at_end.empty()) ej["verified_at_end"] = {{"state", e.verified_at_end}, {"detail", e.verification}};
    list.push_back(std::move(ej));
  }
  const EvidenceSummary t = Totals(summary);
  j["totals"] = {{"files", t.files}, {"images", t.images}, {"bytes", t.bytes}, {"errors", t.errors},
                 {"files_with_hits", t.files_with_hits}, {"categories", CategoriesJson(t)}};
  return j;
}

// Sources (device and folder names) and failure details come from the evidence: printed in their
// terminal form (engine/text/untrusted_text.h).
std::string ScanSummaryText(const ScanSummary& summary) {
  std::string out;
  for (const auto& e : summary.evidence) {
    if (!e.failure.empty() && e.number == 0) {
      out += fmt::format("{}: NOT SCANNED: {}\n", TerminalText(e.source), TerminalText(e.failure));
      continue;
    }
    std::string state = e.already_complete ? " (already scanned with these options: nothing to do)"
                        : e.resumed        ? fmt::format(" (resumed after item {})", e.resumed_from)
                                           : "";
    out += fmt::format("evidence {} [{}] {}{}\n", e.number, e.type, TerminalText(e.source), state);
    out += fmt::format("  files {}  images {}  {:.1f} MB  errors {}  files with hits {}\n", e.files, e.images,
                       e.bytes / 1e6, e.errors, e.files_with_hits);
    for (int c = 0; c < index::kCategoryCount; ++c) {
      const auto& n = e.by_category[c];
      if (n.exact + n.near == 0) continue;
      out += fmt::format("  {:<24} exact {:>6}  near {:>6}\n", index::CategoryName(static_cast<index::Category>(c)),
                         n.exact, n.near);
    }
    out += fmt::format("  evidence hash: {}\n", TerminalText(e.integrity));  // may name the source
    if (e.verified_at_end == "changed") {
      out += fmt::format("  EVIDENCE CHANGED DURING THE SCAN: {}\n", TerminalText(e.verification));
    } else if (!e.verified_at_end.empty()) {
      out += fmt::format("  verified unchanged at the end: {} ({})\n", e.verified_at_end, TerminalText(e.verification));
    }
    if (!e.failure.empty()) {
      out += fmt::format("  INCOMPLETE: {} (run the same scan again to retry)\n", TerminalText(e.failure));
    }
  }
  out += fmt::format("{:.1f} s\n", summary.seconds);
  return out;
}

std::string KioskVerdict(const ScanSummary& summary, bool matched) {
  const EvidenceSummary t = Totals(summary);
  std::uint64_t exact = 0, near = 0;
  for (index::Category c : kIndecentOrder) {
    exact += t.by_category[static_cast<int>(c)].exact;
    near += t.by_category[static_cast<int>(c)].near;
  }
  std::string out;
  out += "==================== hashtriage kiosk result ====================\n";
  for (const auto& e : summary.evidence) out += fmt::format("Device / source:   {}\n", TerminalText(e.source));
  out += fmt::format("Files examined:    {}  (pictures: {})\n", t.files, t.images);
  if (!matched) {
    out += "Known-image check: NOT DONE (no hash set available on this kiosk)\n";
  } else {
    out += fmt::format("Known indecent images, exact matches:  {}\n", exact);
    for (index::Category c : kIndecentOrder) {
      const auto& n = t.by_category[static_cast<int>(c)];
      if (n.exact) out += fmt::format("    category {:<24} {}\n", index::CategoryName(c), n.exact);
    }
    out += fmt::format("Near matches (need specialist review): {}\n", near);
    for (index::Category c : kIndecentOrder) {
      const auto& n = t.by_category[static_cast<int>(c)];
      if (n.near) out += fmt::format("    category {:<24} {}\n", index::CategoryName(c), n.near);
    }
    const auto& ignorable = t.by_category[static_cast<int>(index::Category::kIgnorable)];
    if (ignorable.exact + ignorable.near) {
      out += fmt::format("Known ordinary software files:       {}\n", ignorable.exact + ignorable.near);
    }
  }
  out += fmt::format("Files that could not be read:          {}\n", t.errors);
  for (const auto& e : summary.evidence) {
    if (e.verified_at_end == "changed") {
      out += fmt::format("WARNING: the device data changed during the scan: {}\n", TerminalText(e.source));
    }
  }
  out += fmt::format("Time taken:        {:.0f} seconds\n", summary.seconds);
  out += "-----------------------------------------------------------------\n";
  if (matched && exact + near > 0) {
    out += "WHAT TO DO NEXT: REFER TO THE SPECIALIST UNIT NOW.\n"
           "Known indecent material was found. Do not open or view any files.\n"
           "Keep the device and this result with the case.\n";
  } else if (!matched) {
    out += "WHAT TO DO NEXT: ask the specialist unit; this device was not checked against known images.\n";
  } else if (t.errors > 0) {
    out += "WHAT TO DO NEXT: no known material found, but some files could not be read:\n"
           "ask the specialist unit whether a full examination is needed.\n";
  } else {
    out += "WHAT TO DO NEXT: no known material found. This does not rule out new material:\n"
           "follow your force's procedure for the case.\n";
  }
  out += "=================================================================\n";
  return out;
}

}  // namespace hashtriage::engine
