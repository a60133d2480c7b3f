// Who may do what through `hashtriage serve`: every API action and the roles allowed it. The server
// checks this table on every request (after authentication, before the handler runs); ownership rules
// that depend on the record (an investigator reviews only subjects they took or were given) are
// applied by the engine call itself. Pure functions; no state.
#pragma once

#include <string_view>
#include <vector>

#include "engine/users/users.h"

namespace hashtriage::engine::serve {

enum class Action {
  kReadQueue,         // queue pages
  kReadSubject,       // one subject's view; the subject list
  kTakeSubject,       // an investigator takes an unowned subject from the queue
  kReview,            // record a decision (investigator: own subjects; supervisor: any, with assignment)
  kEnrichSubject,     // attributes, identifiers, manual links (research)
  kReadResearch,      // the open research tasks (unknown or conflicting attributes the model reads)
  kDipSample,         // draw / report the daily dip-sample
  kForecast,          // capacity forecast
  kExport,            // exports of the queue
  kReadUsers,         // the account list
  kManageUsers,       // add, disable, enable, change role
  kReadIndex,         // the known-image sets loaded by the server
  kManageIndex,       // import or remove a set, re-match the case against the index
  kSubmitScan,        // a station submits scan records
  kReadOwnScans,      // a station lists what it submitted
  kReadStations,      // every station's results (the stations page)
};

std::string_view ActionName(Action action);

// The roles allowed `action` (the one table of the authorisation rules).
const std::vector<users::Role>& RolesAllowed(Action action);
bool RoleMay(users::Role role, Action action);

}  // namespace hashtriage::engine::serve
