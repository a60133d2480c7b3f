// `hashtriage calibrate [--json] [--out FILE]`: what the team's decisions say about the model
// (engine/risk/calibration.h): per band confirmed / raised / lowered, observed prevalence per attribute,
// and a proposed model file for review. Read-only on the case; never changes the live model.
#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/case/queue_store.h"
#include "engine/risk/calibration.h"
#include "engine/risk/rescore.h"
#include "engine/subjects/subject_profiles.h"

namespace hashtriage::cli {

namespace {

struct CalibrateOptions {
  std::string case_dir;
  bool json = false;
  std::string out;
  engine::risk::CalibrationOptions calibration;
};

Result<int> RunCalibrateCommand(const CalibrateOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(const engine::risk::RiskModel model, engine::risk::LoadCaseRiskModel(*store));
  HT_ASSIGN_OR_RETURN(const auto ids, engine::ListSubjectIds(*store));
  std::vector<engine::SubjectProfile> profiles;
  for (const auto& id : ids) {
    HT_ASSIGN_OR_RETURN(auto profile, engine::LoadSubjectProfile(*store, id));
    profiles.push_back(std::move(profile));
  }
  HT_ASSIGN_OR_RETURN(const auto decisions, store->queue().Decisions());
  const auto calibration = engine::risk::Calibrate(profiles, decisions, model, o.calibration);
  if (!o.out.empty()) {
    HT_RETURN_IF_ERROR(WriteOutput(o.out, engine::risk::ProposedModelText(model, calibration)));
  }
  const std::string text =
      o.json ? engine::risk::CalibrationJson(calibration, model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
             : engine::risk::CalibrationText(calibration, model);
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupCalibrateCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "What decisions and dip-sample re-grades say about the model; proposes a model file, changes nothing");
  AddCaseOption(cmd, o->case_dir);
  cmd->add_flag("--json", o->json, "JSON: per band and per attribute");
  cmd->add_option("--out", o->out, "Write the proposed model (TOML) here, for review");
  cmd->add_option("--min-known", o->calibration.min_known, "Subjects with a known value before a prevalence is proposed")
      ->capture_default_str();
  cmd->add_option("--min-decisions", o->calibration.min_decisions, "Band decisions before a points change is proposed")
      ->capture_default_str();
  cmd->callback([o, &exit]() { RecordOutcome(RunCalibrateCommand(*o), exit); });
}

}  // namespace hashtriage::cli
