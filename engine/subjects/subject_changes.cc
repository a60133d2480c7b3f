#include "engine/subjects/subject_changes.h"

#include <algorithm>
#include <optional>

#include "engine/case/audit_log.h"
#include "engine/case/conflict_retry.h"
#include "engine/subjects/rescore_hook.h"
#include "engine/subjects/subject_workspace.h"

namespace hashtriage::engine::subjects {

namespace {

// One change in progress: its transaction, workspace and linker.
struct Change {
  explicit Change(Case& c) : txn(c.Begin()), work(c, *txn), linker(work) {}
  std::unique_ptr<CaseTransaction> txn;
  SubjectWorkspace work;
  Linker linker;
};

// Stages the change, its audit entry (with the subjects it touched) and commits; then re-scores them.
Result<SubjectChange> Commit(Case& c, Change& change, const std::vector<std::string>& touched, nlohmann::json details,
                             const CommandContext& context) {
  SubjectChange out;
  for (const std::string& id : touched) {
    auto root = change.linker.Resolve(id);
    if (root.ok() && std::find(out.subjects.begin(), out.subjects.end(), *root) == out.subjects.end()) {
      out.subjects.push_back(*root);
    }
  }
  HT_RETURN_IF_ERROR(change.work.Flush());
  details["subjects"] = out.subjects;
  HT_ASSIGN_OR_RETURN(auto entry, c.audit().Append(*change.txn, MakeAuditEntry(context, std::move(details))));
  (void)entry;
  HT_RETURN_IF_ERROR(change.txn->Commit());
  out.rescored = RescoreChangedSubjects(c, out.subjects, context.now);
  return out;
}

// Every change here runs under the case's writers' lock on a shared case (SerializedWrite), and is made
// again on a fresh read view if its commit is still refused because another process committed first
// (every change also moves the audit head and id counters): nothing here refuses with a Conflict of its
// own, and re-scoring runs only after a commit.
template <typename T, typename Once>
Result<T> UntilCommitted(Case& c, Once once) {
  std::optional<T> done;
  HT_RETURN_IF_ERROR(SerializedWrite(c, [&]() -> Status {
    Result<T> r = once();
    if (!r.ok()) return r.status();
    done = std::move(*r);
    return Status::Ok();
  }));
  return std::move(*done);
}

}  // namespace

Result<LinkResult> LinkSubjects(Case& c, const std::string& a, const std::string& b, const std::string& reason,
                                const std::string& by, const CommandContext& context) {
  if (reason.empty()) return Status::InvalidArgument("a reason is required: say why");
  return UntilCommitted<LinkResult>(c, [&]() -> Result<LinkResult> {
    Change change(c);
    LinkResult out;
    HT_ASSIGN_OR_RETURN(out.survivor, change.linker.Link(a, b, reason, Actor{context.now, by}));
    nlohmann::json details{{"action", "subject link"}, {"a", a}, {"b", b}, {"reason", reason}, {"by", by},
                           {"subject", out.survivor}};
    HT_ASSIGN_OR_RETURN(SubjectChange done, Commit(c, change, {out.survivor}, std::move(details), context));
    static_cast<SubjectChange&>(out) = std::move(done);
    return out;
  });
}

Result<UnlinkResult> UnlinkSubjects(Case& c, const std::string& a, const std::string& b, const std::string& reason,
                                    const std::string& by, const CommandContext& context) {
  if (reason.empty()) return Status::InvalidArgument("a reason is required: say why");
  return UntilCommitted<UnlinkResult>(c, [&]() -> Result<UnlinkResult> {
    Change change(c);
    UnlinkResult out;
    HT_ASSIGN_OR_RETURN(out.outcome, change.linker.Unlink(a, b, reason, Actor{context.now, by}));
    std::vector<std::string> touched = out.outcome.subjects;
    touched.push_back(a);
    touched.push_back(b);
    nlohmann::json details{{"action", "subject unlink"}, {"a", a}, {"b", b}, {"reason", reason}, {"by", by},
                           {"constraint", out.outcome.constraint_id}, {"split", out.outcome.split},
                           {"result", out.outcome.subjects}};
    HT_ASSIGN_OR_RETURN(SubjectChange done, Commit(c, change, touched, std::move(details), context));
    static_cast<SubjectChange&>(out) = std::move(done);
    return out;
  });
}

Result<IdentifierResult> AddIdentifier(Case& c, const std::string& subject, const ingest::Identifier& identifier,
                                       const std::string& service, const std::string& source, const std::string& by,
                                       const CommandContext& context) {
  if (source.empty()) return Status::InvalidArgument("a source is required: where does this identifier come from?");
  return UntilCommitted<IdentifierResult>(c, [&]() -> Result<IdentifierResult> {
    Change change(c);
    AccountInput input;
    input.service = ingest::NormalizeService(service);
    input.identifiers.push_back(identifier);
    input.origin = "manual";
    input.source = source;
    input.subject_id = subject;
    IdentifierResult out;
    out.identifier = identifier.Key();
    HT_ASSIGN_OR_RETURN(out.attachment, change.linker.Attach(input, Actor{context.now, by}));
    nlohmann::json details{{"action", "subject ident add"},
                           {"subject", subject},
                           {"identifier", out.identifier},
                           {"account", out.attachment.account_id},
                           {"already_known", out.attachment.already_known},
                           {"source", source},
                           {"by", by},
                           {"merges", out.attachment.merges.size()}};
    HT_ASSIGN_OR_RETURN(SubjectChange done, Commit(c, change, {out.attachment.subject_id}, std::move(details), context));
    static_cast<SubjectChange&>(out) = std::move(done);
    return out;
  });
}

Result<AttributeResult> SetAttributes(Case& c, const std::vector<AttributeInput>& inputs, const CommandContext& context,
                                      nlohmann::json details) {
  return UntilCommitted<AttributeResult>(c, [&]() -> Result<AttributeResult> {
    Change change(c);
    AttributeResult out;
    std::vector<std::string> touched;
    nlohmann::json records = nlohmann::json::array();
    for (const AttributeInput& input : inputs) {
      HT_ASSIGN_OR_RETURN(AttributeRecord record, StageAttribute(change.work, input, context.now));
      touched.push_back(record.subject);
      records.push_back({{"subject", record.subject}, {"name", record.name}, {"value", record.value},
                         {"source", record.source}, {"recorded_at", record.recorded_at}, {"by", record.recorded_by},
                         {"ref", record.ref()}});
      out.stored.push_back(std::move(record));
    }
    nlohmann::json entry = details;  // each attempt writes its own audit entry
    entry["records"] = std::move(records);
    HT_ASSIGN_OR_RETURN(SubjectChange done, Commit(c, change, touched, std::move(entry), context));
    static_cast<SubjectChange&>(out) = std::move(done);
    return out;
  });
}

}  // namespace hashtriage::engine::subjects
