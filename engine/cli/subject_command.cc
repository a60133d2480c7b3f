// `hashtriage subject list|show|link|unlink|ident add|attr set|attr import`: the people behind
// referrals and scans. link/unlink record who and why in the audit log; attributes keep their history
// and provenance; every change re-scores the subjects it touches. Identifiers, values and file names
// are printed in their terminal form (engine/text/untrusted_text.h).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/audit_log.h"
#include "engine/cli/commands.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/subject_changes.h"
#include "engine/subjects/subject_view.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"
#include "ingest/csv_reader.h"
#include "ingest/referral/phone_number.h"

namespace hashtriage::cli {

namespace {

struct SubjectCommandOptions {
  std::string case_dir;
  std::string now;
  std::string by;
  bool json = false;
  std::vector<std::string> args;  // positional arguments of the subcommand
  std::string reason;
  std::string source;
  std::string service;
  std::string recorded_at;
  std::string phone_region;  // `ident add` --phone-region ("" = $HASHTRIAGE_PHONE_REGION or GB)
  std::string command_line;
};

std::string Who(const SubjectCommandOptions& o) {
  return o.by.empty() ? engine::DefaultActor() : o.by;
}

// A stored change whose re-scoring failed is reported; the change itself stands.
int RescoreOutcome(const engine::subjects::SubjectChange& change) {
  if (change.rescored.ok()) return kExitOk;
  std::fprintf(stderr, "hashtriage: re-scoring: %s\n", engine::TerminalText(change.rescored.message()).c_str());
  return kExitFailure;
}

Result<int> RunList(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto list, engine::subjects::BuildSubjectList(*store));
  std::fputs(o.json ? (list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str()
                    : engine::subjects::RenderSubjectListText(list).c_str(),
             stdout);
  return kExitOk;
}

Result<int> RunShow(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto view, engine::subjects::BuildSubjectView(*store, o.args.at(0)));
  std::fputs(o.json ? (view.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str()
                    : engine::subjects::RenderSubjectText(view).c_str(),
             stdout);
  return kExitOk;
}

Result<int> RunLink(const SubjectCommandOptions& o, bool link) {
  if (o.reason.empty()) return Status::InvalidArgument("--reason is required: say why");
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, false));
  const std::string& a = o.args.at(0);
  const std::string& b = o.args.at(1);
  if (link) {
    HT_ASSIGN_OR_RETURN(auto result, engine::subjects::LinkSubjects(*store, a, b, o.reason, Who(o), context));
    std::printf("linked %s and %s: one subject %s\n", engine::TerminalText(a).c_str(), engine::TerminalText(b).c_str(),
                result.survivor.c_str());
    return RescoreOutcome(result);
  }
  HT_ASSIGN_OR_RETURN(auto result, engine::subjects::UnlinkSubjects(*store, a, b, o.reason, Who(o), context));
  if (result.outcome.split) {
    std::string ids;
    for (const auto& s : result.outcome.subjects) ids += " " + s;
    std::printf("unlinked %s and %s (%s): the subject is now%s\n", a.c_str(), b.c_str(),
                result.outcome.constraint_id.c_str(), ids.c_str());
  } else {
    std::printf("recorded %s: %s and %s will not be merged automatically\n", result.outcome.constraint_id.c_str(),
                a.c_str(), b.c_str());
  }
  return RescoreOutcome(result);
}

Result<int> RunIdentAdd(const SubjectCommandOptions& o) {
  if (o.source.empty()) return Status::InvalidArgument("--source is required: where does this identifier come from?");
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  auto kind = ingest::ParseIdentifierKind(o.args.at(1));
  if (!kind || *kind == ingest::IdentifierKind::kIp) {
    return Status::InvalidArgument("identifier kind '" + o.args.at(1) +
                                   "' is not one of service_account, email, phone, device_id, client_guid, "
                                   "screen_name, display_name, profile_url");
  }
  if ((*kind == ingest::IdentifierKind::kServiceAccount || *kind == ingest::IdentifierKind::kScreenName) &&
      o.service.empty()) {
    return Status::InvalidArgument("--service is required for a " + o.args.at(1) + " (ids are only unique per service)");
  }
  const std::string region = ResolvePhoneRegion(o.phone_region);
  if (!ingest::IsSupportedPhoneRegion(region)) {
    return Status::InvalidArgument("--phone-region '" + region + "' is not a known region (GB, US, ...)");
  }
  const ingest::NormalizedIdentifier normal = ingest::NormalizeIdentifierWithNote(*kind, o.args.at(2), o.service, region);
  if (!normal.note.empty()) std::fprintf(stderr, "hashtriage: warning: '%s' %s\n", o.args.at(2).c_str(), normal.note.c_str());
  const auto& value = normal.value;
  if (!value) return Status::InvalidArgument("'" + o.args.at(2) + "' is not a usable " + o.args.at(1));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, false));
  HT_ASSIGN_OR_RETURN(auto result, engine::subjects::AddIdentifier(*store, o.args.at(0), ingest::Identifier{*kind, *value},
                                                                   o.service, o.source, Who(o), context));
  const auto& attached = result.attachment;
  if (attached.already_known) {
    std::printf("%s: %s is already known (account %s): nothing added\n", attached.subject_id.c_str(),
                engine::TerminalText(result.identifier).c_str(), attached.account_id.c_str());
    return RescoreOutcome(result);
  }
  std::printf("%s: added %s as account %s", attached.subject_id.c_str(), result.identifier.c_str(),
              attached.account_id.c_str());
  for (const auto& m : attached.merges) {
    std::printf("; merged %s into %s via %s", m.merged.c_str(), m.survivor.c_str(),
                engine::TerminalText(m.identifier).c_str());
  }
  for (const auto& b : attached.blocked) std::printf("; %s", engine::TerminalText(b).c_str());
  if (!attached.held_back.empty()) std::printf("; %s", attached.held_back.c_str());
  std::printf("\n");
  return RescoreOutcome(result);
}

Result<int> RunAttrSet(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  engine::subjects::AttributeInput input{o.args.at(0), o.args.at(1), o.args.at(2), o.source, context.now, Who(o)};
  if (!o.recorded_at.empty()) {
    HT_ASSIGN_OR_RETURN(input.recorded_at, engine::ParseIso8601(o.recorded_at));
  }
  HT_RETURN_IF_ERROR(engine::subjects::CheckAttributeName(input.name));  // before touching the case
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, false));
  HT_ASSIGN_OR_RETURN(auto result, engine::subjects::SetAttributes(*store, {input}, context,
                                                                   {{"action", "subject attr set"}, {"by", Who(o)}}));
  const auto& record = result.stored.front();
  std::printf("%s: %s = %s (source: %s, recorded %s by %s)\n", record.subject.c_str(), record.name.c_str(),
              engine::TerminalText(record.value).c_str(), engine::TerminalText(record.source).c_str(),
              engine::FormatDate(record.recorded_at).c_str(), engine::TerminalText(record.recorded_by).c_str());
  return RescoreOutcome(result);
}

// Header: subject,name,value,source[,recorded_at,recorded_by]. Bad records are reported by their first
// line and skipped; the good ones are stored together. RFC 4180 CSV (ingest/csv_reader.h).
Result<int> RunAttrImport(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  const std::string& path = o.args.at(0);
  HT_ASSIGN_OR_RETURN(auto reader, ingest::CsvReader::Open(path));
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, false));
  std::uint64_t bad = 0;
  std::vector<std::string> header;
  std::vector<engine::subjects::AttributeInput> inputs;
  for (;;) {
    HT_ASSIGN_OR_RETURN(const ingest::CsvRecord* record, reader->Next());
    if (record == nullptr) break;
    if (record->status.ok() && record->blank()) continue;
    auto fail = [&](const std::string& why) {
      std::fprintf(stderr, "hashtriage: %s: line %llu: %s\n", engine::TerminalText(path).c_str(),
                   static_cast<unsigned long long>(record->line), engine::TerminalText(why).c_str());
      ++bad;
    };
    if (header.empty()) {
      if (!record->status.ok()) {
        return Status::InvalidArgument(path + ": line " + std::to_string(record->line) + ": header: " +
                                       record->status.message());
      }
      header = record->fields;
      const std::vector<std::string> want{"subject", "name", "value", "source"};
      if (header.size() < 4 || !std::equal(want.begin(), want.end(), header.begin())) {
        return Status::InvalidArgument(path + ": line " + std::to_string(record->line) +
                                       ": header must be subject,name,value,source[,recorded_at,recorded_by]");
      }
      continue;
    }
    if (!record->status.ok()) {
      fail(record->status.message());
      continue;
    }
    const std::vector<std::string>& cells = record->fields;
    if (cells.size() != header.size()) {
      fail("expected " + std::to_string(header.size()) + " fields, found " + std::to_string(cells.size()));
      continue;
    }
    engine::subjects::AttributeInput input{cells[0], cells[1], cells[2], cells[3], context.now, Who(o)};
    if (header.size() > 4 && !cells[4].empty()) {
      auto t = engine::ParseIso8601(cells[4]);
      if (!t.ok()) {
        fail("recorded_at: " + t.status().message());
        continue;
      }
      input.recorded_at = *t;
    }
    if (header.size() > 5 && !cells[5].empty()) input.recorded_by = cells[5];
    if (Status valid = engine::subjects::ValidateAttribute(*store, input); !valid.ok()) {
      fail(valid.message());
      continue;
    }
    inputs.push_back(std::move(input));
  }
  if (header.empty()) return Status::InvalidArgument(path + ": empty file (header subject,name,value,source expected)");
  int code = kExitOk;
  if (!inputs.empty()) {
    HT_ASSIGN_OR_RETURN(auto result, engine::subjects::SetAttributes(
                                         *store, inputs, context,
                                         {{"action", "subject attr import"}, {"file", path}, {"bad", bad}, {"by", Who(o)}}));
    code = RescoreOutcome(result);
  }
  std::printf("%s: %zu attribute records stored, %llu bad lines\n", engine::TerminalText(path).c_str(), inputs.size(),
              static_cast<unsigned long long>(bad));
  return bad > 0 ? kExitFailure : code;
}

CLI::App* AddSub(CLI::App* parent, const std::string& name, const std::string& help,
                 std::shared_ptr<SubjectCommandOptions> o, bool writes) {
  CLI::App* sub = parent->add_subcommand(name, help);
  AddCaseOption(sub, o->case_dir);
  if (writes) {
    AddNowOption(sub, o->now);
    sub->add_option("--by", o->by, "Who makes the change (default: $USER)");
  }
  return sub;
}

void Bind(CLI::App* sub, std::shared_ptr<SubjectCommandOptions> o, CommandExit& exit,
          std::function<Result<int>(const SubjectCommandOptions&)> run) {
  sub->callback([o, &exit, run]() {
    o->command_line = exit.command_line;
    RecordOutcome(run(*o), exit);
  });
}

}  // namespace

void SetupSubjectCommand(CLI::App& app, CommandExit& exit) {
  CLI::App* subject = SubcommandGroup(app, "subject", "Subjects (people): list, show, link/unlink, identifiers, attributes");
  subject->require_subcommand(1);

  auto list = std::make_shared<SubjectCommandOptions>();
  CLI::App* list_cmd = AddSub(subject, "list", "One line per subject", list, false);
  list_cmd->add_flag("--json", list->json, "JSON output");
  Bind(list_cmd, list, exit, RunList);

  auto show = std::make_shared<SubjectCommandOptions>();
  CLI::App* show_cmd = AddSub(subject, "show", "Accounts, links, referrals, scans, hits, attributes and timeline", show, false);
  show_cmd->add_option("id", show->args, "Subject id (merged ids resolve)")->required()->expected(1);
  show_cmd->add_flag("--json", show->json, "JSON output");
  Bind(show_cmd, show, exit, RunShow);

  for (bool link : {true, false}) {
    auto o = std::make_shared<SubjectCommandOptions>();
    CLI::App* cmd = AddSub(subject, link ? "link" : "unlink",
                           link ? "Make two subjects (or accounts) one subject, with a reason"
                                : "Keep two subjects (or accounts) apart, undoing a merge; automatic linking respects it",
                           o, true);
    cmd->add_option("ids", o->args, "Two subject or account ids")->required()->expected(2);
    cmd->add_option("--reason", o->reason, "Why (recorded in the audit log)")->required();
    Bind(cmd, o, exit, [link](const SubjectCommandOptions& opts) { return RunLink(opts, link); });
  }

  CLI::App* ident = subject->add_subcommand("ident", "Identifiers known for a subject");
  ident->require_subcommand(1);
  auto add = std::make_shared<SubjectCommandOptions>();
  CLI::App* add_cmd = AddSub(ident, "add", "Add a known identifier (e.g. from a device extraction) so referrals link to the subject", add, true);
  add_cmd->add_option("args", add->args, "SUBJECT KIND VALUE (kind: email, phone, service_account, device_id, client_guid, screen_name)")
      ->required()->expected(3);
  add_cmd->add_option("--source", add->source, "Where the identifier comes from")->required();
  add_cmd->add_option("--service", add->service, "The service of a service_account or screen_name");
  AddPhoneRegionOption(add_cmd, add->phone_region);
  Bind(add_cmd, add, exit, RunIdentAdd);

  CLI::App* attr = subject->add_subcommand("attr", "Risk attributes (yes/no/unknown with source) and the area code");
  attr->require_subcommand(1);
  auto set = std::make_shared<SubjectCommandOptions>();
  CLI::App* set_cmd = AddSub(attr, "set", "Record one attribute value (history is kept)", set, true);
  set_cmd->add_option("args", set->args, "SUBJECT NAME VALUE")->required()->expected(3);
  set_cmd->add_option("--source", set->source, "Where the fact comes from (e.g. PNC, social services)")->required();
  set_cmd->add_option("--recorded-at", set->recorded_at, "When the fact was established (default: --now)");
  Bind(set_cmd, set, exit, RunAttrSet);
  auto import = std::make_shared<SubjectCommandOptions>();
  CLI::App* import_cmd = AddSub(attr, "import", "Import subject,name,value,source[,recorded_at,recorded_by] CSV", import, true);
  import_cmd->add_option("file", import->args, "CSV file")->required()->expected(1);
  Bind(import_cmd, import, exit, RunAttrImport);
}

}  // namespace hashtriage::cli
