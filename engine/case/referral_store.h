// ReferralStore: the referrals of a case as stored by intake: each one once (keyed by its id, so
// re-ingesting a file adds nothing), with where it came from, who it names (the account and subject it
// was linked to), its events and its files with their hashes and known-image hits (re-matched by
// `rematch` after an index update). The store alone knows how these are kept.
// Threads: reads from any thread; writes through a CaseTransaction (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/matching/hit.h"

namespace hashtriage::engine {

struct ReferralEventRecord {
  std::string type;                  // ingest::EventTypeName: "login", "upload", ...
  std::optional<std::int64_t> time;  // Unix seconds UTC
  std::string ip;
  int port = 0;
  bool proxy = false;
  friend bool operator==(const ReferralEventRecord&, const ReferralEventRecord&) = default;
};

struct ReferralFileRecord {
  std::string name;
  std::string md5, sha1, sha256, pdq;  // lowercase hex, "" when not given
  std::optional<std::uint64_t> size;
  std::optional<bool> viewed_by_esp;
  std::optional<bool> publicly_available;
  bool possible_self_production = false;
  std::vector<Hit> hits;
  friend bool operator==(const ReferralFileRecord&, const ReferralFileRecord&) = default;
};

struct ReferralRecord {
  std::string id;
  std::string format;      // "cybertip", "p2p", "csv"
  std::string report_id;
  std::string source_file;
  std::uint64_t record = 0;      // record number in the source file
  std::int64_t ingested_at = 0;  // command clock
  std::string ingested_by;
  std::string incident_type;
  std::optional<std::int64_t> incident_time;
  bool escalate = false;
  std::string industry_classification;
  std::string service;
  std::string location;    // shown for routing; never scored
  std::string account;     // the account it was attached to
  std::string subject;     // the root subject at intake (resolve through merges for now)
  std::vector<std::string> identifiers;  // identifier keys ("email:a@b.c")
  std::vector<ReferralEventRecord> events;
  std::vector<ReferralFileRecord> files;
  std::uint64_t distribution = 0;  // upload / offer events (a provider report counts as one)
  bool matched = false;            // files were matched against an index
  std::string matched_index;       // the index digest the hits reflect ("" = none)
  std::vector<std::string> warnings;  // fields the parser dropped, and why

  // Files with at least one hit.
  std::uint64_t FilesWithHits() const;
};

class ReferralStore {
 public:
  virtual ~ReferralStore() = default;
  virtual Result<std::optional<ReferralRecord>> Get(const std::string& id) const = 0;
  virtual Result<bool> Contains(const std::string& id) const = 0;
  // Which of `ids` are stored (one round trip on a database server; the default asks one by one).
  virtual Result<std::set<std::string>> StoredAmong(const std::vector<std::string>& ids) const;
  virtual void Put(CaseTransaction& txn, const ReferralRecord& record) = 0;
  // Every referral in id order until `visit` returns false.
  virtual Status ForEach(const std::function<bool(const ReferralRecord&)>& visit) const = 0;
};

}  // namespace hashtriage::engine
