#include "engine/risk/dip_sample.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/time_util.h"
#include "hashing/digests.h"

namespace hashtriage::engine::risk {

namespace {

// FNV-1a over the text, then the splitmix64 finaliser: a fixed, platform-independent hash (the
// standard library's distributions and std::hash are not reproducible across implementations).
std::uint64_t StableHash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h += 0x9e3779b97f4a7c15ULL;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

// A uniform number in (0, 1) from 53 bits of the hash.
double Unit(std::uint64_t h) { return (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0; }

}  // namespace

std::string DipSampleDraw::key() const { return date + "#" + std::to_string(draw); }

DipSampleDraw DrawDipSample(const std::vector<QueueEntry>& entries, const std::string& date,
                            const DipSampleOptions& options) {
  DipSampleDraw out;
  out.date = date;
  out.requested = options.size;
  const auto midnight = ParseIso8601(date);
  const std::int64_t at = midnight.ok() ? *midnight : 0;

  struct Keyed {
    double key;
    const QueueEntry* entry;
    std::int64_t days;
  };
  std::vector<const QueueEntry*> candidates;
  for (const auto& e : entries) {
    if (e.open() && (e.band == Band::kMedium || e.band == Band::kLow)) candidates.push_back(&e);
  }
  // The state is the candidate set, whatever order the caller listed it in.
  std::sort(candidates.begin(), candidates.end(),
            [](const QueueEntry* a, const QueueEntry* b) { return a->subject_id < b->subject_id; });
  std::string state;
  std::vector<Keyed> keyed;
  for (const QueueEntry* e : candidates) {
    state += e->subject_id + '\t' + std::string(BandKey(e->band)) + '\t' + std::to_string(e->entered_at) + '\n';
    const std::int64_t days = at > e->entered_at ? (at - e->entered_at) / kSecondsPerDay : 0;
    const double weight = 1.0 + options.age_weight_per_day * static_cast<double>(days);
    const double u = Unit(StableHash("hashtriage-dip-sample\n" + date + "\n" + e->subject_id));
    keyed.push_back({-std::log(u) / weight, e, days});
  }
  out.candidates = candidates.size();
  const auto digest = hashing::DigestBytes(std::as_bytes(std::span(state.data(), state.size())),
                                           hashing::DigestSet().Add(hashing::DigestKind::kSha256));
  out.state_sha256 = digest.sha256->hex();
  const std::size_t k = std::min(options.size, keyed.size());
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(k), keyed.end(),
                    [](const Keyed& a, const Keyed& b) {
                      return a.key != b.key ? a.key < b.key : a.entry->subject_id < b.entry->subject_id;
                    });
  for (std::size_t i = 0; i < k; ++i) {
    const QueueEntry& e = *keyed[i].entry;
    out.items.push_back({e.subject_id, e.band, e.model_band, e.entered_at, keyed[i].days});
  }
  return out;
}

DipSampleSummary SummariseDipSample(const DipSampleDraw& draw, const std::vector<Decision>& decisions) {
  DipSampleSummary s;
  s.key = draw.key();
  s.sampled = draw.items.size();
  std::map<std::string, const Decision*> latest;
  for (const auto& d : decisions) {
    if (d.dip_sample != s.key) continue;
    auto& slot = latest[d.subject_id];
    if (slot == nullptr || d.id > slot->id) slot = &d;
  }
  for (const auto& item : draw.items) {
    auto it = latest.find(item.subject_id);
    if (it == latest.end()) continue;
    const Decision& d = *it->second;
    ++s.reviewed;
    std::string& outcome = s.outcomes[item.subject_id];
    if (d.outcome == Outcome::kInvestigate) {
      ++s.investigated;
      outcome = "investigate";
    } else if (d.outcome == Outcome::kNoFurtherAction) {
      ++s.closed_nfa;
      outcome = "no further action";
    } else {
      const Band after = d.clear_override ? d.model_band : d.band.value_or(item.band);
      if (after > item.band) {
        ++s.regraded_up;
        outcome = "re-graded up to " + std::string(BandName(after));
      } else if (after < item.band) {
        ++s.regraded_down;
        outcome = "re-graded down to " + std::string(BandName(after));
      } else {
        ++s.unchanged;
        outcome = "unchanged (" + std::string(BandName(after)) + ")";
      }
    }
  }
  return s;
}

DipSampleReport ReportDipSamples(const std::vector<DipSampleDraw>& draws, const std::vector<Decision>& decisions,
                                 const std::string& from, const std::string& to) {
  DipSampleReport report;
  report.total.key = "total";
  for (const DipSampleDraw& draw : draws) {
    if ((!from.empty() && draw.date < from) || (!to.empty() && draw.date > to)) continue;
    DipSampleSummary s = SummariseDipSample(draw, decisions);
    DipSampleSummary& t = report.total;
    t.sampled += s.sampled;
    t.reviewed += s.reviewed;
    t.regraded_up += s.regraded_up;
    t.regraded_down += s.regraded_down;
    t.unchanged += s.unchanged;
    t.investigated += s.investigated;
    t.closed_nfa += s.closed_nfa;
    report.draws.emplace_back(draw, std::move(s));
  }
  std::stable_sort(report.draws.begin(), report.draws.end(), [](const auto& a, const auto& b) {
    return a.first.date != b.first.date ? a.first.date < b.first.date : a.first.draw < b.first.draw;
  });
  return report;
}

nlohmann::json DipSampleToJson(const DipSampleDraw& draw) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : draw.items) {
    items.push_back({{"subject", i.subject_id},
                     {"band", BandKey(i.band)},
                     {"model_band", BandKey(i.model_band)},
                     {"entered_at", i.entered_at},
                     {"days_in_queue", i.days_in_queue}});
  }
  return {{"date", draw.date},           {"draw", draw.draw},
          {"key", draw.key()},           {"drawn_at", draw.drawn_at},
          {"requested", draw.requested}, {"candidates", draw.candidates},
          {"state_sha256", draw.state_sha256}, {"items", items}};
}

Result<DipSampleDraw> DipSampleFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("date")) return Status::Corruption("dip-sample record without a date");
  DipSampleDraw d;
  d.date = j.value("date", "");
  d.draw = j.value("draw", std::uint64_t{1});
  d.drawn_at = j.value("drawn_at", std::int64_t{0});
  d.requested = j.value("requested", std::size_t{0});
  d.candidates = j.value("candidates", std::size_t{0});
  d.state_sha256 = j.value("state_sha256", "");
  for (const auto& i : j.value("items", nlohmann::json::array())) {
    const auto band = ParseBand(i.value("band", ""));
    const auto model_band = ParseBand(i.value("model_band", ""));
    if (!band || !model_band) return Status::Corruption("dip-sample " + d.key() + ": bad band");
    d.items.push_back({i.value("subject", ""), *band, *model_band, i.value("entered_at", std::int64_t{0}),
                       i.value("days_in_queue", std::int64_t{0})});
  }
  return d;
}

nlohmann::json DipSummaryToJson(const DipSampleSummary& s) {
  return {{"key", s.key},
          {"sampled", s.sampled},
          {"reviewed", s.reviewed},
          {"regraded_up", s.regraded_up},
          {"regraded_down", s.regraded_down},
          {"unchanged", s.unchanged},
          {"investigated", s.investigated},
          {"closed_nfa", s.closed_nfa},
          {"outcomes", s.outcomes}};
}

}  // namespace hashtriage::engine::risk
