// `hashtriage forecast --capacity N/day [--days 90] [--intake N/day] [--window 28] [--json]`: simulates
// working the queue in order at the team's capacity with new cases arriving at the observed rate,
// and reports per band the projected deadline breaches and longest waits, and the capacity needed
// to meet every deadline. Plain text for managers, or JSON. Read-only.
#include <charconv>

#include "engine/cli/commands.h"
#include "engine/cli/output_file.h"
#include "engine/risk/forecast.h"
#include "engine/case/queue_store.h"
#include "engine/risk/rescore.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

using namespace engine::risk;

struct ForecastCommandOptions {
  std::string case_dir;
  std::string now;
  std::string capacity;
  std::string intake;
  int days = 90;
  int window = 28;
  bool json = false;
};

// "12", "12/day", "12.5 / day".
Result<double> PerDay(std::string text, const char* what) {
  std::erase(text, ' ');
  if (text.size() > 4 && text.substr(text.size() - 4) == "/day") text.resize(text.size() - 4);
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !(v >= 0) || v > 1e6) {
    return Status::InvalidArgument(std::string(what) + " must be a number of cases per day, e.g. 12/day");
  }
  return v;
}

Result<int> RunForecastCommand(const ForecastCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const std::int64_t now, engine::ResolveNow(o.now));
  CaseForecastRequest request;
  HT_ASSIGN_OR_RETURN(request.capacity_per_day, PerDay(o.capacity, "--capacity"));
  if (request.capacity_per_day <= 0) return Status::InvalidArgument("--capacity must be more than 0 cases per day");
  request.days = o.days;
  request.window_days = o.window;
  if (!o.intake.empty()) {
    HT_ASSIGN_OR_RETURN(request.intake_total_per_day, PerDay(o.intake, "--intake"));
  }
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_ASSIGN_OR_RETURN(const Forecast forecast, ForecastCase(*store, now, request));
  const std::string text =
      o.json ? ForecastToJson(forecast).dump(2) + "\n" : ForecastText(forecast);
  HT_RETURN_IF_ERROR(WriteOutput("", text));
  return kExitOk;
}

}  // namespace

void SetupForecastCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<ForecastCommandOptions>();
  CLI::App* cmd = app.add_subcommand("forecast", "Project deadline breaches at a capacity, and the capacity needed");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_option("--capacity", o->capacity, "Cases the team completes per day, e.g. 12/day")->required();
  cmd->add_option("--days", o->days, "Days to simulate (default 90)")->check(CLI::Range(1, 3650));
  cmd->add_option("--intake", o->intake, "New cases per day (default: observed over --window days)");
  cmd->add_option("--window", o->window, "Days of queue history the intake rate is observed over (default 28)")
      ->check(CLI::Range(1, 3650));
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->callback([o, &exit]() { RecordOutcome(RunForecastCommand(*o), exit); });
}

}  // namespace hashtriage::cli
