#include "engine/serve/access_policy.h"

#include <algorithm>

namespace hashtriage::engine::serve {

using users::Role;

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kReadQueue: return "read the queue";
    case Action::kReadSubject: return "read a subject";
    case Action::kTakeSubject: return "take a subject";
    case Action::kReview: return "review a subject";
    case Action::kEnrichSubject: return "enrich a subject";
    case Action::kReadResearch: return "read the research tasks";
    case Action::kDipSample: return "run the dip-sample";
    case Action::kForecast: return "read the forecast";
    case Action::kExport: return "export the queue";
    case Action::kReadUsers: return "list users";
    case Action::kManageUsers: return "manage users";
    case Action::kReadIndex: return "read the index sets";
    case Action::kManageIndex: return "change the index sets";
    case Action::kSubmitScan: return "submit scan results";
    case Action::kReadOwnScans: return "read its own submissions";
    case Action::kReadStations: return "read the stations' results";
  }
  return "unknown action";
}

const std::vector<Role>& RolesAllowed(Action action) {
  static const std::vector<Role> investigators = {Role::kInvestigator, Role::kSupervisor};
  static const std::vector<Role> readers = {Role::kResearcher, Role::kInvestigator, Role::kSupervisor};
  static const std::vector<Role> researchers = {Role::kResearcher};
  static const std::vector<Role> research_readers = {Role::kResearcher, Role::kSupervisor};
  static const std::vector<Role> supervisors = {Role::kSupervisor};
  static const std::vector<Role> investigator_only = {Role::kInvestigator};
  static const std::vector<Role> admins = {Role::kAdmin};
  static const std::vector<Role> stations = {Role::kStation};
  switch (action) {
    case Action::kReadQueue: return investigators;
    case Action::kReadSubject: return readers;
    case Action::kTakeSubject: return investigator_only;
    case Action::kReview: return investigators;
    case Action::kEnrichSubject: return researchers;
    case Action::kReadResearch: return research_readers;
    case Action::kDipSample:
    case Action::kForecast:
    case Action::kExport:
    case Action::kReadStations: return supervisors;
    case Action::kReadUsers:
    case Action::kManageUsers:
    case Action::kReadIndex:
    case Action::kManageIndex: return admins;
    case Action::kSubmitScan:
    case Action::kReadOwnScans: return stations;
  }
  static const std::vector<Role> none;
  return none;
}

bool RoleMay(Role role, Action action) {
  const auto& allowed = RolesAllowed(action);
  return std::find(allowed.begin(), allowed.end(), role) != allowed.end();
}

}  // namespace hashtriage::engine::serve
