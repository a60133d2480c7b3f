#include "engine/risk/queue_entry.h"

namespace hashtriage::engine::risk {

namespace {

Result<Band> BandField(const nlohmann::json& j, const char* key, const std::string& what) {
  const auto band = ParseBand(j.value(key, ""));
  if (!band) return Status::Corruption(what + ": bad or missing '" + key + "'");
  return *band;
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kKeep: return "keep";
    case Outcome::kInvestigate: return "investigate";
    case Outcome::kNoFurtherAction: return "no-further-action";
  }
  return "keep";
}

std::optional<Outcome> ParseOutcome(std::string_view text) {
  if (text == "keep") return Outcome::kKeep;
  if (text == "investigate") return Outcome::kInvestigate;
  if (text == "no-further-action" || text == "nfa" || text == "no_further_action") return Outcome::kNoFurtherAction;
  return std::nullopt;
}

nlohmann::json QueueEntryToJson(const QueueEntry& e) {
  nlohmann::json j = {{"subject", e.subject_id},
                      {"status", e.open() ? "open" : "closed"},
                      {"episode", e.episode},
                      {"entered_at", e.entered_at},
                      {"deadline", e.deadline},
                      {"model_band", BandKey(e.model_band)},
                      {"band", BandKey(e.band)},
                      {"score", e.score},
                      {"likely_high", e.likely_high},
                      {"owner", e.owner},
                      {"display_name", e.display_name},
                      {"area", e.area},
                      {"dip_sampled", e.dip_sampled},
                      {"referrals", e.referrals},
                      {"hits", e.hits},
                      {"last_activity", e.last_activity},
                      {"referrals_at_close", e.referrals_at_close},
                      {"hits_at_close", e.hits_at_close},
                      {"last_activity_at_close", e.last_activity_at_close},
                      {"closed_at", e.closed_at},
                      {"closed_outcome", e.closed_outcome},
                      {"closed_decision", e.closed_decision}};
  if (e.override_band) {
    const auto& o = *e.override_band;
    j["override"] = {{"band", BandKey(o.band)},     {"reason", o.reason},
                     {"by", o.by},                   {"at", o.at},
                     {"model_band_at_override", BandKey(o.model_band_at_override)},
                     {"decision", o.decision_id}};
  }
  if (e.review_flag) {
    j["review_flag"] = {{"at", e.review_flag->at},
                        {"model_band", BandKey(e.review_flag->model_band)},
                        {"why", e.review_flag->why}};
  }
  return j;
}

Result<QueueEntry> QueueEntryFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("subject")) return Status::Corruption("queue entry without a subject");
  QueueEntry e;
  e.subject_id = j.value("subject", "");
  const std::string what = "queue entry " + e.subject_id;
  e.status = j.value("status", "open") == "closed" ? EntryStatus::kClosed : EntryStatus::kOpen;
  e.episode = j.value("episode", 1);
  e.entered_at = j.value("entered_at", std::int64_t{0});
  e.deadline = j.value("deadline", std::int64_t{0});
  HT_ASSIGN_OR_RETURN(e.model_band, BandField(j, "model_band", what));
  HT_ASSIGN_OR_RETURN(e.band, BandField(j, "band", what));
  e.score = j.value("score", 0);
  e.likely_high = j.value("likely_high", 0);
  e.owner = j.value("owner", "");
  e.display_name = j.value("display_name", "");
  e.area = j.value("area", "");
  e.dip_sampled = j.value("dip_sampled", std::uint64_t{0});
  e.referrals = j.value("referrals", std::uint64_t{0});
  e.hits = j.value("hits", std::uint64_t{0});
  e.last_activity = j.value("last_activity", std::int64_t{0});
  e.referrals_at_close = j.value("referrals_at_close", std::uint64_t{0});
  e.hits_at_close = j.value("hits_at_close", std::uint64_t{0});
  e.last_activity_at_close = j.value("last_activity_at_close", std::int64_t{0});
  e.closed_at = j.value("closed_at", std::int64_t{0});
  e.closed_outcome = j.value("closed_outcome", "");
  e.closed_decision = j.value("closed_decision", std::uint64_t{0});
  if (j.contains("override") && j["override"].is_object()) {
    const auto& o = j["override"];
    BandOverride ov;
    HT_ASSIGN_OR_RETURN(ov.band, BandField(o, "band", what + " override"));
    HT_ASSIGN_OR_RETURN(ov.model_band_at_override, BandField(o, "model_band_at_override", what + " override"));
    ov.reason = o.value("reason", "");
    ov.by = o.value("by", "");
    ov.at = o.value("at", std::int64_t{0});
    ov.decision_id = o.value("decision", std::uint64_t{0});
    e.override_band = ov;
  }
  if (j.contains("review_flag") && j["review_flag"].is_object()) {
    const auto& f = j["review_flag"];
    ReviewFlag flag;
    HT_ASSIGN_OR_RETURN(flag.model_band, BandField(f, "model_band", what + " review flag"));
    flag.at = f.value("at", std::int64_t{0});
    flag.why = f.value("why", "");
    e.review_flag = flag;
  }
  return e;
}

nlohmann::json DecisionToJson(const Decision& d) {
  return {{"id", d.id},
          {"subject", d.subject_id},
          {"outcome", OutcomeName(d.outcome)},
          {"band", d.band ? nlohmann::json(BandKey(*d.band)) : nlohmann::json(nullptr)},
          {"clear_override", d.clear_override},
          {"reason", d.reason},
          {"by", d.by},
          {"assign", d.assign},
          {"at", d.at},
          {"model_band", BandKey(d.model_band)},
          {"band_before", BandKey(d.band_before)},
          {"dip_sample", d.dip_sample}};
}

Result<Decision> DecisionFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("subject")) return Status::Corruption("decision without a subject");
  Decision d;
  d.id = j.value("id", std::uint64_t{0});
  d.subject_id = j.value("subject", "");
  const std::string what = "decision " + std::to_string(d.id);
  const auto outcome = ParseOutcome(j.value("outcome", ""));
  if (!outcome) return Status::Corruption(what + ": bad outcome");
  d.outcome = *outcome;
  if (j.contains("band") && j["band"].is_string()) {
    HT_ASSIGN_OR_RETURN(Band band, BandField(j, "band", what));
    d.band = band;
  }
  d.clear_override = j.value("clear_override", false);
  d.reason = j.value("reason", "");
  d.by = j.value("by", "");
  d.assign = j.value("assign", "");
  d.at = j.value("at", std::int64_t{0});
  HT_ASSIGN_OR_RETURN(d.model_band, BandField(j, "model_band", what));
  HT_ASSIGN_OR_RETURN(d.band_before, BandField(j, "band_before", what));
  d.dip_sample = j.value("dip_sample", "");
  return d;
}

}  // namespace hashtriage::engine::risk
