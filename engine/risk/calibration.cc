#include "engine/risk/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace hashtriage::engine::risk {

namespace {

enum class Label { kNone, kConfirmed, kRaised, kLowered, kNoFurtherAction };

Label LabelOf(const Decision& d) {
  if (d.band) return *d.band == d.model_band ? Label::kConfirmed : *d.band > d.model_band ? Label::kRaised : Label::kLowered;
  if (d.clear_override) return Label::kConfirmed;
  if (d.outcome == Outcome::kNoFurtherAction) return Label::kNoFurtherAction;
  return Label::kConfirmed;  // investigated, or kept, at the model's band
}

}  // namespace

Calibration Calibrate(const std::vector<SubjectProfile>& profiles, const std::vector<Decision>& decisions,
                      const RiskModel& model, const CalibrationOptions& o) {
  Calibration c;
  c.subjects = profiles.size();
  c.decisions = decisions.size();
  for (int b = 0; b < kBandCount; ++b) c.bands[b].band = static_cast<Band>(b);
  std::map<std::string, const SubjectProfile*> by_id;
  for (const auto& p : profiles) by_id[p.subject_id] = &p;
  for (const auto& f : model.attributes) {
    AttributeCalibration a;
    a.attribute = f.attribute;
    a.model_prevalence = a.proposed_prevalence = f.prevalence;
    a.model_points = a.proposed_points = f.points;
    for (const auto& p : profiles) {
      const TriState v = LatestValue(p, f.attribute);
      if (v == TriState::kUnknown) continue;
      ++a.known;
      a.yes += v == TriState::kYes;
    }
    c.attributes.push_back(std::move(a));
  }
  for (const Decision& d : decisions) {
    const Label label = LabelOf(d);
    BandCalibration& band = c.bands[BandIndex(d.model_band)];
    if (label == Label::kNoFurtherAction) {
      ++band.no_further_action;
      continue;
    }
    ++band.decisions;
    band.confirmed += label == Label::kConfirmed;
    band.raised += label == Label::kRaised;
    band.lowered += label == Label::kLowered;
    band.from_dip_sample += !d.dip_sample.empty();
    auto it = by_id.find(d.subject_id);
    if (it == by_id.end()) continue;
    for (auto& a : c.attributes) {
      if (LatestValue(*it->second, a.attribute) != TriState::kYes) continue;
      ++a.decisions;
      a.raised += label == Label::kRaised;
      a.lowered += label == Label::kLowered;
    }
  }
  for (auto& a : c.attributes) {
    std::string why;
    if (a.known >= o.min_known) {
      const double observed = static_cast<double>(a.yes) / static_cast<double>(a.known);
      if (std::abs(observed - a.model_prevalence) >= 0.005) {
        a.proposed_prevalence = std::round(observed * 100) / 100;
        why = fmt::format("prevalence {:.2f} -> {:.2f} ({} of {} subjects with a known value)", a.model_prevalence,
                          a.proposed_prevalence, a.yes, a.known);
      }
    }
    if (a.decisions >= o.min_decisions) {
      const double n = static_cast<double>(a.decisions);
      int step = 0;
      if (static_cast<double>(a.raised) >= o.consistent_share * n) step = o.points_step;
      if (static_cast<double>(a.lowered) >= o.consistent_share * n) step = -o.points_step;
      if (step != 0) {
        a.proposed_points = std::max(0, a.model_points + step);
        why += fmt::format("{}points {} -> {} (reviewers raised {} and lowered {} of {} band decisions on subjects "
                           "with it)", why.empty() ? "" : "; ", a.model_points, a.proposed_points, a.raised, a.lowered,
                           a.decisions);
      }
    }
    a.why = why;
    c.changes_proposed |= !why.empty();
  }
  return c;
}

std::string ProposedModelText(const RiskModel& model, const Calibration& c) {
  std::map<std::string, const AttributeCalibration*> by_name;
  for (const auto& a : c.attributes) by_name[a.attribute] = &a;
  std::istringstream in(model.text);
  std::string out, line;
  bool top = true, named = false, versioned = false;
  const AttributeCalibration* current = nullptr;  // the [[factor]] being copied
  bool wrote_prevalence = false;
  auto finish_factor = [&]() {
    if (current != nullptr && !wrote_prevalence) out += fmt::format("prevalence = {:.2f}\n", current->proposed_prevalence);
    current = nullptr;
  };
  while (std::getline(in, line)) {
    const bool header = line.starts_with("[");
    if (header) {
      finish_factor();
      top = false;
    }
    if (top && !named && line.starts_with("name = ")) {
      out += fmt::format("name = \"{}-proposed\"\n", model.name);
      named = true;
      continue;
    }
    if (top && !versioned && line.starts_with("version = ")) {
      out += fmt::format("version = \"{}+calibrated\"\n", model.version);
      versioned = true;
      continue;
    }
    if (line == "[[factor]]") wrote_prevalence = false;
    if (line.starts_with("attribute = \"") && !top) {
      const std::string name = line.substr(13, line.find('"', 13) - 13);
      auto it = by_name.find(name);
      current = it == by_name.end() ? nullptr : it->second;
    }
    if (current != nullptr && line.starts_with("points = ")) {
      out += fmt::format("points = {}\n", current->proposed_points);
      continue;
    }
    if (current != nullptr && line.starts_with("prevalence = ")) {
      out += fmt::format("prevalence = {:.2f}\n", current->proposed_prevalence);
      wrote_prevalence = true;
      continue;
    }
    if (current != nullptr && line.empty()) finish_factor();
    out += line + "\n";
  }
  finish_factor();
  return out;
}

std::string CalibrationText(const Calibration& c, const RiskModel& model) {
  std::string out = fmt::format("Calibration of model {} {} against {} decision(s) on {} subject(s).\n", model.name,
                                model.version, c.decisions, c.subjects);
  out += fmt::format("{:<10} {:>9} {:>9} {:>7} {:>7} {:>9} {:>6}\n", "model band", "decisions", "confirmed", "raised",
                     "lowered", "no action", "dip");
  for (Band b : kBandsHighestFirst) {
    const auto& s = c.bands[BandIndex(b)];
    out += fmt::format("{:<10} {:>9} {:>9} {:>7} {:>7} {:>9} {:>6}\n", BandName(b), s.decisions, s.confirmed, s.raised,
                       s.lowered, s.no_further_action, s.from_dip_sample);
  }
  out += fmt::format("\n{:<36} {:>6} {:>5} {:>8} {:>6} {:>9} {:>8}  {}\n", "attribute", "known", "yes", "observed",
                     "model", "decisions", "up/down", "proposal");
  for (const auto& a : c.attributes) {
    out += fmt::format("{:<36} {:>6} {:>5} {:>8} {:>6.2f} {:>9} {:>8}  {}\n", a.attribute, a.known, a.yes,
                       a.known ? fmt::format("{:.2f}", static_cast<double>(a.yes) / static_cast<double>(a.known)) : "-",
                       a.model_prevalence, a.decisions, fmt::format("{}/{}", a.raised, a.lowered),
                       a.why.empty() ? "-" : a.why);
  }
  out += c.changes_proposed ? "\nChanges are proposed: write them with --out FILE, review the file, then use it with "
                              "`hashtriage rank --model FILE` (recorded in the audit log). Nothing was changed.\n"
                            : "\nNo change is proposed. Nothing was changed.\n";
  return out;
}

nlohmann::ordered_json CalibrationJson(const Calibration& c, const RiskModel& model) {
  nlohmann::ordered_json bands = nlohmann::ordered_json::array();
  for (Band b : kBandsHighestFirst) {
    const auto& s = c.bands[BandIndex(b)];
    bands.push_back({{"band", BandKey(b)}, {"decisions", s.decisions}, {"confirmed", s.confirmed}, {"raised", s.raised},
                     {"lowered", s.lowered}, {"no_further_action", s.no_further_action},
                     {"from_dip_sample", s.from_dip_sample}});
  }
  nlohmann::ordered_json attributes = nlohmann::ordered_json::array();
  for (const auto& a : c.attributes) {
    attributes.push_back({{"attribute", a.attribute}, {"known", a.known}, {"yes", a.yes},
                          {"model_prevalence", a.model_prevalence}, {"proposed_prevalence", a.proposed_prevalence},
                          {"decisions", a.decisions}, {"raised", a.raised}, {"lowered", a.lowered},
                          {"model_points", a.model_points}, {"proposed_points", a.proposed_points}, {"why", a.why}});
  }
  return {{"model", {{"name", model.name}, {"version", model.version}, {"sha256", model.sha256}}},
          {"subjects", c.subjects}, {"decisions", c.decisions}, {"bands", bands}, {"attributes", attributes},
          {"changes_proposed", c.changes_proposed}};
}

}  // namespace hashtriage::engine::risk
