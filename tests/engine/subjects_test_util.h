// Helpers for the subjects tests: generated provider reports, a small known-image index built through
// the index API, intake of a file through the real reader and IntakeSession, and counting a case's
// records. Nothing here is real material: hashes are made up or digests of benign test photos.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/case/case.h"
#include "engine/subjects/intake.h"
#include "index/category.h"
#include "index/known_index.h"
#include "tests/test_support.h"

namespace hashtriage::testing {

// 2026-11-20T00:00:00Z
inline constexpr std::int64_t kIntakeDay = 1795132800;

struct ReportSpec {
  std::string id;            // "" = no reportId (content-hash id)
  std::string service = "examplechat";
  std::string account;       // espIdentifier, "" = none
  std::vector<std::string> emails;
  std::vector<std::string> phones;
  std::string ip;            // one Login/Upload event when set
  std::string event = "Upload";
  std::int64_t event_time = kIntakeDay;
  bool proxy = false;
  std::vector<std::string> md5s;
  bool escalate = false;
};
nlohmann::json CybertipReport(const ReportSpec& spec);
// One report per line.
void WriteJsonLines(const std::filesystem::path& path, const std::vector<nlohmann::json>& reports);

// Builds (or replaces) set `set` in the index at `dir`: each MD5 hex with its category.
void BuildIndex(const std::filesystem::path& dir, const std::string& set,
                const std::vector<std::pair<std::string, index::Category>>& md5s);
struct IndexEntry {
  index::HashType type;
  std::string hex;  // MD5/SHA-1/SHA-256 digest or PDQ hash
  index::Category category;
};
void BuildIndex(const std::filesystem::path& dir, const std::string& set, const std::vector<IndexEntry>& entries);

struct IntakeResult {
  std::vector<engine::subjects::ReferralOutcome> outcomes;  // stored or duplicate, in file order
  std::vector<std::uint64_t> bad_records;                   // record numbers
};
// Reads `file` with the referral reader and stores it with an IntakeSession (flushed).
IntakeResult Ingest(engine::Case& store, const index::KnownIndex* index, const std::filesystem::path& file,
                    std::int64_t now, engine::subjects::LinkOptions link = {});

// Records in each table of the embedded store underneath (indexed by engine::kv::Table), for
// "nothing changed" checks.
std::vector<std::size_t> TableSizes(engine::Case& store);

std::unique_ptr<engine::Case> OpenCase(const std::filesystem::path& dir);

// The attribute names in the factor table of ../shared/docs/risk-model.md (read at test time).
std::vector<std::string> RiskModelDocAttributeNames();

// The hashtriage binary, shell-quoted, with --case/--index not included.
std::string Hashtriage();

// MD5 hex of a file (computed by hashing/, itself tested against md5sum).
std::string Md5Of(const std::filesystem::path& file);

}  // namespace hashtriage::testing
