// CaseSettings: facts about the case as a whole: when it was created, its name, the risk model its supervisor
// chose (`rank --model`), and the subjects owed a re-score (marked in the same write as the change
// that owes it, cleared once re-scored, so a killed command never leaves a subject unassessed).
// Threads: reads from any thread; writes through a CaseTransaction (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "engine/case/case.h"

namespace hashtriage::engine {

struct StoredRiskModel {
  std::string source;  // file name, or "built-in default"
  std::string sha256;
  std::string text;    // the TOML text
};

class CaseSettings {
 public:
  virtual ~CaseSettings() = default;

  virtual Result<std::optional<std::int64_t>> Created() const = 0;
  virtual void SetCreated(CaseTransaction& txn, std::int64_t created) = 0;

  // The case's name (VICS CaseID, reports), kept when a case moves between backends. Unset: the
  // location's own name stands in (CaseName).
  virtual Result<std::optional<std::string>> Name() const = 0;
  virtual void SetName(CaseTransaction& txn, const std::string& name) = 0;

  virtual Result<std::optional<StoredRiskModel>> RiskModel() const = 0;
  virtual void SetRiskModel(CaseTransaction& txn, const StoredRiskModel& model) = 0;

  virtual Result<std::set<std::string>> PendingRescores() const = 0;
  virtual void MarkRescorePending(CaseTransaction& txn, const std::string& subject_id) = 0;
  virtual void ClearRescorePending(CaseTransaction& txn, const std::string& subject_id) = 0;
};

// The stored name, else the location's: a directory's name, a database's name.
Result<std::string> CaseName(const Case& c);
// The name a location gives a case that has none stored.
std::string LocationName(const std::string& location);

}  // namespace hashtriage::engine
