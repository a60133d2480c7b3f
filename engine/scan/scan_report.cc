#include "engine/scan/scan_report.h"

#include <fmt/format.h>

#include "engine/matching/hit.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::engine {

namespace {

constexpr index::Category kIndecentOrder[] = {index::Category::kA, index::Category::kB, index::Category::kC,
                                              index::Category::kIndecentUncategorised};

const char* OutcomeName(ScanOutcome o) {
  switch (o) {
    case ScanOutcome::kScanned: return "scanned";
    case ScanOutcome::kResumed: return "resumed";
    case ScanOutcome::kAlreadyComplete: return "already complete";
    case ScanOutcome::kRematched: return "re-matched";
    case ScanOutcome::kFailed: return "failed";
  }
  return "";
}

nlohmann::json CategoriesJson(const EvidenceCounts& c) {
  nlohmann::json j = nlohmann::json::object();
  for (int k = 0; k < index::kCategoryCount; ++k) {
    if (c.by_category[k].exact + c.by_category[k].near == 0) continue;
    j[std::string(index::CategoryName(static_cast<index::Category>(k)))] = {{"exact", c.by_category[k].exact},
                                                                           {"near", c.by_category[k].near}};
  }
  return j;
}

nlohmann::json VerificationJson(const EvidenceVerification& v) {
  return {{"state", v.state}, {"method", v.method}, {"detail", v.detail}};
}


std::string Sets(const IndexStamp& stamp) {
  std::string out;
  for (const SetStamp& s : stamp.sets) {
    std::uint64_t entries = 0;
    for (const auto& [type, n] : s.entries) entries += n;
    out += fmt::format("    {} (generation {}, {} entries, imported {})\n", s.name, s.generation, entries,
                       FormatDate(s.imported_unix));
  }
  return out;
}

}  // namespace

bool HasKnownMaterial(const EvidenceCounts& c) {
  for (int k = 0; k < index::kCategoryCount; ++k) {
    if (IsKnownMaterial(static_cast<index::Category>(k)) && c.by_category[k].exact + c.by_category[k].near > 0) {
      return true;
    }
  }
  return false;
}

bool AnyKnownMaterial(const ScanSummary& summary) {
  for (const auto& e : summary.evidence) {
    if (HasKnownMaterial(e.counts)) return true;
  }
  return false;
}

nlohmann::json ScanSummaryToJson(const ScanSummary& summary) {
  nlohmann::json j;
  j["case"] = summary.case_location;
  j["started"] = FormatIso8601(summary.started_utc);
  j["seconds"] = summary.seconds;
  j["index"] = summary.index.ToJson();
  auto& list = j["evidence"] = nlohmann::json::array();
  EvidenceCounts t;
  for (const auto& e : summary.evidence) {
    const EvidenceCounts& c = e.counts;
    nlohmann::json ej{{"number", e.number},
                      {"id", e.id},
                      {"source", e.source},
                      {"type", e.type},
                      {"outcome", OutcomeName(e.outcome)},
                      {"fingerprint", {{"id", e.fingerprint.Id()}, {"describe", e.fingerprint.Describe()}}},
                      {"files", c.files},
                      {"images", c.images},
                      {"bytes", c.bytes},
                      {"errors", e.errors()},
                      {"files_with_hits", c.files_with_hits},
                      {"categories", CategoriesJson(c)},
                      {"known_material", HasKnownMaterial(c)},
                      {"integrity", e.integrity},
                      {"resumed_from_item", e.resumed_from},
                      {"index", e.index.digest}};
    if (e.number == 0) ej["number"] = nullptr;
    if (!e.failure.empty()) ej["failure"] = e.failure;
    if (!e.verified_at_end.state.empty()) ej["verified_at_end"] = VerificationJson(e.verified_at_end);
    if (!e.earlier_verification.state.empty()) ej["earlier_verification"] = VerificationJson(e.earlier_verification);
    if (e.outcome == ScanOutcome::kRematched) {
      ej["rematch"] = {{"index_before", e.index_before.digest}, {"hits_gained", e.hits_gained},
                       {"hits_lost", e.hits_lost}, {"files_changed", e.files_changed}};
    }
    if (e.geometric_rechecked > 0) {
      ej["geometric_recheck"] = {{"pictures", e.geometric_rechecked}, {"hits_gained", e.geometric_hits_gained}};
    }
    nlohmann::json earlier = nlohmann::json::array();
    for (const auto& a : e.earlier_at_path) {
      earlier.push_back({{"number", a.number}, {"fingerprint", a.fingerprint_id}, {"started", FormatIso8601(a.started)}});
    }
    ej["other_evidence_at_this_path"] = earlier;
    list.push_back(std::move(ej));
    t.files += c.files;
    t.images += c.images;
    t.bytes += c.bytes;
    t.errors += e.errors();
    t.files_with_hits += c.files_with_hits;
    for (int k = 0; k < index::kCategoryCount; ++k) {
      t.by_category[k].exact += c.by_category[k].exact;
      t.by_category[k].near += c.by_category[k].near;
    }
  }
  j["totals"] = {{"files", t.files}, {"images", t.images}, {"bytes", t.bytes}, {"errors", t.errors},
                 {"files_with_hits", t.files_with_hits}, {"categories", CategoriesJson(t)},
                 {"known_material", AnyKnownMaterial(summary)}};
  return j;
}

// Sources, failures and verification details may name files chosen by a suspect: printed in their
// terminal form (engine/text/untrusted_text.h).
std::string ScanSummaryText(const ScanSummary& summary) {
  std::string out;
  for (const auto& e : summary.evidence) {
    if (e.outcome == ScanOutcome::kFailed && e.number == 0) {
      out += fmt::format("{}: NOT SCANNED: {}\n", TerminalText(e.source), TerminalText(e.failure));
      continue;
    }
    std::string state;
    switch (e.outcome) {
      case ScanOutcome::kAlreadyComplete:
        state = e.geometric_rechecked > 0
                    ? fmt::format(" (already scanned {}: same content, settings and index; pictures without hits "
                                  "read again for library pictures added since)",
                                  FormatIso8601(e.first_scanned))
                    : fmt::format(" (already scanned {}: same content and settings, same index: nothing to do)",
                                  FormatIso8601(e.first_scanned));
        break;
      case ScanOutcome::kResumed: state = fmt::format(" (resumed after item {})", e.resumed_from); break;
      case ScanOutcome::kRematched:
        state = fmt::format(" (scanned {}; the index changed since: re-matched from stored hashes)",
                            FormatIso8601(e.first_scanned));
        break;
      default: break;
    }
    out += fmt::format("evidence {} [{}] {}{}\n", e.number, e.type, TerminalText(e.source), state);
    for (const auto& a : e.earlier_at_path) {
      out += fmt::format("  new content at this path: evidence {} (scanned {}) had other content (fingerprint {})\n",
                         a.number, FormatIso8601(a.started), a.fingerprint_id);
    }
    out += fmt::format("  fingerprint: {}\n", e.fingerprint.Describe());
    const EvidenceCounts& c = e.counts;
    out += fmt::format("  files {}  images {}  {:.1f} MB  errors {}  files with hits {}\n", c.files, c.images,
                       c.bytes / 1e6, e.errors(), c.files_with_hits);
    if (c.carved + c.thumbnails > 0) {
      out += fmt::format("  carved from unallocated space {} (counted in files); embedded thumbnails {}\n", c.carved,
                         c.thumbnails);
    }
    if (c.videos > 0) out += fmt::format("  videos {} (counted in files): {} frames hashed\n", c.videos, c.video_frames);
    for (int k = 0; k < index::kCategoryCount; ++k) {
      const auto& n = c.by_category[k];
      if (n.exact + n.near == 0) continue;
      out += fmt::format("  {:<24} exact {:>6}  near {:>6}\n", index::CategoryName(static_cast<index::Category>(k)),
                         n.exact, n.near);
    }
    if (e.outcome == ScanOutcome::kRematched) {
      out += fmt::format("  re-matched: {} hit(s) gained, {} lost, {} file record(s) changed ({} -> {})\n",
                         e.hits_gained, e.hits_lost, e.files_changed, e.index_before.Describe(), e.index.Describe());
    }
    if (e.geometric_rechecked > 0) {
      out += fmt::format("  read again for library sets added since the scan: {} picture(s) without hits matched again "
                         "(region cells, geometric stage), {} hit(s) gained\n",
                         e.geometric_rechecked, e.geometric_hits_gained);
    }
    out += fmt::format("  evidence hash: {}\n", TerminalText(e.integrity));
    if (e.verified_at_end.changed()) {
      out += fmt::format("  EVIDENCE CHANGED DURING THE SCAN: {}\n", TerminalText(e.verified_at_end.detail));
    } else if (!e.verified_at_end.state.empty()) {
      out += fmt::format("  verified unchanged at the end: {} ({})\n", e.verified_at_end.state, TerminalText(e.verified_at_end.detail));
    } else if (!e.earlier_verification.state.empty()) {
      out += fmt::format("  {}; when its scan ended it was verified: {} ({})\n",
                         e.geometric_rechecked > 0 ? "only its pictures without hits read in this run (each checked "
                                                     "against its stored XXH3-128)"
                                                   : "not read in this run",
                         e.earlier_verification.state, TerminalText(e.earlier_verification.detail));
    }
    if (!e.failure.empty()) out += fmt::format("  INCOMPLETE: {} (run the same scan again to retry)\n", TerminalText(e.failure));
  }
  out += fmt::format("matched against {}\n", summary.index.Describe());
  out += fmt::format("{:.1f} s\n", summary.seconds);
  return out;
}

std::string KioskVerdict(const ScanSummary& summary, bool matched) {
  std::string out;
  out += "==================== hashtriage kiosk result ====================\n";
  out += fmt::format("Date and time:     {} (UTC)\n", FormatIso8601(summary.started_utc));
  out += fmt::format("Case:              {}\n", TerminalText(summary.case_location));
  if (matched) {
    out += fmt::format("Hash sets used:    {}\n", summary.index.Describe());
    out += Sets(summary.index);
  }
  bool any_known = false;
  for (const auto& e : summary.evidence) {
    out += "-----------------------------------------------------------------\n";
    out += fmt::format("Device / source:   {}\n", TerminalText(e.source));
    if (e.outcome == ScanOutcome::kFailed && e.number == 0) {
      out += fmt::format("NOT CHECKED: {}\n", TerminalText(e.failure));
      out += "WHAT TO DO NEXT: ask the specialist unit; this device was not checked.\n";
      continue;
    }
    out += fmt::format("Evidence number:   {}  (content fingerprint {})\n", e.number, e.fingerprint.Id());
    if (e.outcome == ScanOutcome::kAlreadyComplete) {
      out += fmt::format("This same content was checked on {}; that result is shown.\n", FormatIso8601(e.first_scanned));
    } else if (e.outcome == ScanOutcome::kRematched) {
      out += fmt::format("This same content was checked on {}; the hash sets changed since, so it was checked again.\n",
                         FormatIso8601(e.first_scanned));
    }
    const EvidenceCounts& t = e.counts;
    std::uint64_t exact = 0, near = 0;
    for (index::Category c : kIndecentOrder) {
      exact += t.by_category[static_cast<int>(c)].exact;
      near += t.by_category[static_cast<int>(c)].near;
    }
    const auto& unknown = t.by_category[static_cast<int>(index::Category::kUnknown)];
    out += fmt::format("Files examined:    {}  (pictures: {})\n", t.files, t.images);
    if (t.carved > 0) out += fmt::format("  of which recovered from deleted space: {}\n", t.carved);
    if (t.videos > 0) out += fmt::format("  of which videos, checked frame by frame: {}\n", t.videos);
    if (t.thumbnails > 0) out += fmt::format("Previews inside files examined: {}  (a known one counts below)\n", t.thumbnails);
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
      if (unknown.exact + unknown.near > 0) {
        out += fmt::format("Known material, category not recorded (specialist review): {}\n", unknown.exact + unknown.near);
      }
      const auto& related = t.by_category[static_cast<int>(index::Category::kNonIndecent)];
      if (related.exact + related.near) {
        out += fmt::format("Known related (non-indecent) pictures:  {}\n", related.exact + related.near);
      }
      const auto& ignorable = t.by_category[static_cast<int>(index::Category::kIgnorable)];
      if (ignorable.exact + ignorable.near) {
        out += fmt::format("Known ordinary software files:       {}\n", ignorable.exact + ignorable.near);
      }
    }
    out += fmt::format("Files that could not be read:          {}\n", e.errors());
    if (e.verified_at_end.changed()) out += "WARNING: the device data changed during the scan.\n";
    const bool known = matched && HasKnownMaterial(t);
    any_known = any_known || known;
    if (known) {
      out += "WHAT TO DO NEXT: REFER TO THE SPECIALIST UNIT NOW.\n";
      out += exact + near > 0 ? "Known indecent material was found. Do not open or view any files.\n"
                              : "Known material whose category is not recorded was found. Do not open or view any files.\n";
      out += "Keep the device and this result with the case.\n";
    } else if (!matched) {
      out += "WHAT TO DO NEXT: ask the specialist unit; this device was not checked against known images.\n";
    } else if (e.errors() > 0) {
      out += "WHAT TO DO NEXT: no known material found, but some files could not be read:\n"
             "ask the specialist unit whether a full examination is needed.\n";
    } else {
      out += "WHAT TO DO NEXT: no known material found. This does not rule out new material:\n"
             "follow your force's procedure for the case.\n";
    }
  }
  out += "-----------------------------------------------------------------\n";
  out += fmt::format("Time taken:        {:.0f} seconds\n", summary.seconds);
  if (summary.evidence.size() > 1) {
    out += any_known ? "AT LEAST ONE DEVICE HOLDS KNOWN MATERIAL: see above.\n" : "";
  }
  out += "=================================================================\n";
  return out;
}

}  // namespace hashtriage::engine
