#include "engine/scan/station_submissions.h"

#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"

namespace hashtriage::engine {

namespace {

// Where the server says the evidence came from: the station and the source as the station saw it.
std::string ServerSource(const std::string& station, const std::string& source) { return station + ":" + source; }

// The station's evidence `number`, or NotFound / PermissionDenied (another station's).
Result<EvidenceRecord> OwnEvidence(const Case& c, const std::string& station, std::uint32_t number) {
  HT_ASSIGN_OR_RETURN(auto record, c.evidence().Get(number));
  if (!record) return Status::NotFound("no evidence " + std::to_string(number) + " on the server");
  if (record->submitted_by != station) {
    return Status::PermissionDenied("evidence " + std::to_string(number) + " was not submitted by " + station);
  }
  return *record;
}

}  // namespace

Result<SubmissionState> BeginSubmission(Case& c, const std::string& station, const EvidenceRecord& given,
                                        const CommandContext& context) {
  if (given.source_absolute.empty() || given.fingerprint.Id().empty()) {
    return Status::InvalidArgument("a submitted evidence record needs its source and content fingerprint");
  }
  const std::string source = ServerSource(station, given.source_absolute);
  SubmissionState state;
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(auto existing, c.evidence().Find(source, given.settings, given.fingerprint));
    if (existing) {
      HT_ASSIGN_OR_RETURN(EvidenceRecord record, OwnEvidence(c, station, *existing));
      HT_ASSIGN_OR_RETURN(state.next_seq, c.evidence().ResumePoint(*existing));
      state.evidence = *existing;
      state.finished = record.status == EvidenceStatus::kComplete;
      if (record.status != EvidenceStatus::kIncomplete) return Status::Ok();
      // Submitted incomplete, resumed on the station since: open it again for the rest of its records.
      record.status = EvidenceStatus::kRunning;
      auto txn = c.Begin();
      HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
      HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "submission reopened"},
                                                                                      {"station", station},
                                                                                      {"evidence", record.number}})));
      (void)entry;
      return txn->Commit();
    }
    auto txn = c.Begin();
    HT_ASSIGN_OR_RETURN(const std::uint64_t n, txn->NextId("evidence"));
    EvidenceRecord record = given;
    record.number = static_cast<std::uint32_t>(n);
    record.source = ServerSource(station, given.source);
    record.source_absolute = source;
    record.id = station + ":" + given.id;
    record.submitted_by = station;
    record.subject.clear();  // the station's subject ids are not the server's: attach on the server
    record.status = EvidenceStatus::kRunning;
    record.counts = EvidenceCounts{};
    HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
    c.evidence().SetResumePoint(*txn, record.number, 0);
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "submission begun"},
                                                                                    {"station", station},
                                                                                    {"evidence", record.number},
                                                                                    {"source", record.source},
                                                                                    {"fingerprint", given.fingerprint.Id()}})));
    (void)entry;
    HT_RETURN_IF_ERROR(txn->Commit());
    state = SubmissionState{record.number, 0, false};
    return Status::Ok();
  }));
  return state;
}

Result<SubmissionState> StoreSubmittedFiles(Case& c, const std::string& station, std::uint32_t evidence,
                                            const std::vector<FileRecord>& records, const CommandContext& context) {
  SubmissionState state;
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(EvidenceRecord record, OwnEvidence(c, station, evidence));
    if (record.status != EvidenceStatus::kRunning) {
      return Status::InvalidArgument("evidence " + std::to_string(evidence) + " is finished: no more records");
    }
    HT_ASSIGN_OR_RETURN(std::uint64_t next, c.evidence().ResumePoint(evidence));
    auto txn = c.Begin();
    std::uint64_t stored = 0;
    for (FileRecord r : records) {
      if (r.seq < next) continue;  // already stored by an earlier attempt
      if (r.seq != next) {
        return Status::InvalidArgument("file record " + std::to_string(r.seq) + " arrived before " +
                                       std::to_string(next) + ": send them in order");
      }
      r.evidence = evidence;
      CountFileRecord(r, record.counts);
      c.evidence().PutFile(*txn, r);
      ++next;
      ++stored;
    }
    state = SubmissionState{evidence, next, false};
    if (stored == 0) return Status::Ok();
    c.evidence().SetResumePoint(*txn, evidence, next);
    HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "submission records"},
                                                                                    {"station", station},
                                                                                    {"evidence", evidence},
                                                                                    {"records", stored},
                                                                                    {"next_seq", next}})));
    (void)entry;
    return txn->Commit();
  }));
  return state;
}

Result<SubmissionState> FinishSubmission(Case& c, const std::string& station, std::uint32_t evidence,
                                         const EvidenceRecord& given, std::uint64_t records_total,
                                         const CommandContext& context) {
  SubmissionState state;
  HT_RETURN_IF_ERROR(RetryOnConflict(c, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(EvidenceRecord record, OwnEvidence(c, station, evidence));
    HT_ASSIGN_OR_RETURN(const std::uint64_t next, c.evidence().ResumePoint(evidence));
    state = SubmissionState{evidence, next, true};
    if (record.status != EvidenceStatus::kRunning) return Status::Ok();  // finished by an earlier attempt
    if (next != records_total) {
      state.finished = false;
      return Status::InvalidArgument("evidence " + std::to_string(evidence) + ": the server holds " +
                                     std::to_string(next) + " file records of " + std::to_string(records_total) +
                                     ": send the rest first");
    }
    record.status = given.status == EvidenceStatus::kRunning ? EvidenceStatus::kIncomplete : given.status;
    record.error = given.error;
    record.finished = given.finished;
    record.finished_utc = given.finished_utc;
    record.integrity = given.integrity;
    record.verified_at_end = given.verified_at_end;
    record.matched_against = given.matched_against;
    // The counts stay the server's own count of the records it holds; the station's are audited beside.
    auto txn = c.Begin();
    HT_RETURN_IF_ERROR(c.evidence().Put(*txn, record));
    HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*txn, MakeAuditEntry(context, {{"action", "submission finished"},
                                                                                    {"station", station},
                                                                                    {"evidence", evidence},
                                                                                    {"status", EvidenceStatusName(record.status)},
                                                                                    {"records", next},
                                                                                    {"files", record.counts.files},
                                                                                    {"files_with_hits", record.counts.files_with_hits},
                                                                                    {"station_files", given.counts.files},
                                                                                    {"station_files_with_hits", given.counts.files_with_hits}})));
    (void)entry;
    return txn->Commit();
  }));
  return state;
}

Result<std::vector<EvidenceRecord>> SubmissionsOf(const Case& c, const std::string& station) {
  HT_ASSIGN_OR_RETURN(auto all, c.evidence().List());
  std::vector<EvidenceRecord> own;
  for (auto& e : all) {
    if (e.submitted_by == station) own.push_back(std::move(e));
  }
  return own;
}

}  // namespace hashtriage::engine
