// Calibration: what the team's decisions say about the model, for a human to weigh. Review outcomes
// and dip-sample re-grades are the labels: per model band, how often a reviewer confirmed the band,
// raised it or lowered it; per attribute, how often it was found "yes" among the subjects where it is
// known (the observed prevalence the outlook should use) and how reviewers moved the bands of subjects
// who have it. From these it proposes a model (prevalences observed on enough subjects, points moved
// by a fixed step where reviewers consistently raised or lowered such subjects), written as a model
// file for review; it never changes the live model (`rank --model FILE` does, audited). Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/risk/queue_entry.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"

namespace hashtriage::engine::risk {

struct BandCalibration {
  Band band = Band::kLow;          // the model's band when decided
  std::size_t decisions = 0;       // decisions that name a band or act on the model's
  std::size_t confirmed = 0;       // kept at the model's band, or acted on it without changing it
  std::size_t raised = 0;          // a reviewer set a higher band
  std::size_t lowered = 0;         // a reviewer set a lower band
  std::size_t no_further_action = 0;  // closed without action and without naming a band (not counted above)
  std::size_t from_dip_sample = 0; // of the decisions, answers to dip-sample draws
};

struct AttributeCalibration {
  std::string attribute;
  std::size_t known = 0;           // subjects with a yes/no value
  std::size_t yes = 0;
  double model_prevalence = 0;
  double proposed_prevalence = 0;  // observed when known >= min_known, else the model's
  std::size_t decisions = 0;       // band decisions on subjects with the attribute yes
  std::size_t raised = 0, lowered = 0;
  int model_points = 0;
  int proposed_points = 0;
  std::string why;                 // "" when nothing is proposed
};

struct CalibrationOptions {
  std::size_t min_known = 30;       // subjects with a known value before a prevalence is proposed
  std::size_t min_decisions = 10;   // band decisions before a points change is proposed
  double consistent_share = 0.6;    // share of them moving one way
  int points_step = 5;
};

struct Calibration {
  std::array<BandCalibration, kBandCount> bands{};  // indexed by Band
  std::vector<AttributeCalibration> attributes;      // model order
  std::size_t subjects = 0;
  std::size_t decisions = 0;
  bool changes_proposed = false;
};

// `profiles`: the case's subjects (as they are now: a decision is read against the subject's current
// attributes); `decisions`: every recorded decision.
Calibration Calibrate(const std::vector<SubjectProfile>& profiles, const std::vector<Decision>& decisions,
                      const RiskModel& model, const CalibrationOptions& options = {});

// The proposed model file: the model's TOML with its name suffixed "-proposed", the version
// "<version>+calibrated", and each changed factor's prevalence and points.
std::string ProposedModelText(const RiskModel& model, const Calibration& c);

std::string CalibrationText(const Calibration& c, const RiskModel& model);
nlohmann::ordered_json CalibrationJson(const Calibration& c, const RiskModel& model);

}  // namespace hashtriage::engine::risk
