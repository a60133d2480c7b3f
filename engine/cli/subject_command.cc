// `hashtriage subject list|show|link|unlink|ident add|attr set|attr import`: the people behind
// referrals and scans. link/unlink record who and why in the audit log; attributes keep their history
// and provenance; every change re-scores the subjects it touches. Identifiers, values and file names
// are printed in their terminal form (engine/text/untrusted_text.h).
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/audit_log.h"
#include "engine/case_store.h"
#include "engine/cli/commands.h"
#include "engine/cli/risk_cli_support.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "engine/subjects/record_cache.h"
#include "engine/subjects/rescore_hook.h"
#include "engine/subjects/subject_view.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"
#include "ingest/referral/csv_line.h"

namespace hashtriage::cli {

namespace {

using engine::subjects::Actor;
using engine::subjects::Linker;
using engine::subjects::RecordCache;

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
  std::string command_line;
};

std::string Who(const SubjectCommandOptions& o) {
  return o.by.empty() ? engine::DefaultActor() : o.by;
}

// An existing case, never created here (the helper is shared with the risk commands).
Result<std::unique_ptr<engine::CaseStore>> OpenCase(const std::string& dir, bool read_only) {
  return OpenRiskCase(dir, read_only);
}

// Flushes, audits and re-scores one change.
Result<int> Commit(engine::CaseStore& store, RecordCache& cache, Linker& linker, const SubjectCommandOptions& o,
                   std::int64_t now, nlohmann::json details, const std::vector<std::string>& touched) {
  std::vector<std::string> roots;
  for (const std::string& id : touched) {
    auto root = linker.Resolve(id);
    if (root.ok() && std::find(roots.begin(), roots.end(), *root) == roots.end()) roots.push_back(*root);
  }
  HT_RETURN_IF_ERROR(cache.Flush());
  details["by"] = Who(o);
  details["subjects"] = roots;
  HT_ASSIGN_OR_RETURN(auto entry, engine::AppendAudit(store, now, o.command_line, details));
  (void)entry;
  const Status rescored = engine::subjects::RescoreChangedSubjects(store, roots, now);
  if (!rescored.ok()) {
    std::fprintf(stderr, "hashtriage: re-scoring: %s\n", engine::TerminalText(rescored.message()).c_str());
    return kExitFailure;
  }
  return kExitOk;
}

Result<int> RunList(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto list, engine::subjects::BuildSubjectList(*store));
  std::fputs(o.json ? (list.dump(2) + "\n").c_str() : engine::subjects::RenderSubjectListText(list).c_str(), stdout);
  return kExitOk;
}

Result<int> RunShow(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, true));
  HT_ASSIGN_OR_RETURN(auto view, engine::subjects::BuildSubjectView(*store, o.args.at(0)));
  std::fputs(o.json ? (view.dump(2) + "\n").c_str() : engine::subjects::RenderSubjectText(view).c_str(), stdout);
  return kExitOk;
}

Result<int> RunLink(const SubjectCommandOptions& o, bool link) {
  if (o.reason.empty()) return Status::InvalidArgument("--reason is required: say why");
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, false));
  RecordCache cache(*store);
  Linker linker(cache);
  const Actor actor{now, Who(o)};
  const std::string& a = o.args.at(0);
  const std::string& b = o.args.at(1);
  nlohmann::json details{{"action", link ? "subject link" : "subject unlink"}, {"a", a}, {"b", b}, {"reason", o.reason}};
  std::vector<std::string> touched{};
  if (link) {
    HT_ASSIGN_OR_RETURN(std::string survivor, linker.Link(a, b, o.reason, actor));
    details["subject"] = survivor;
    touched.push_back(survivor);
    std::printf("linked %s and %s: one subject %s\n", engine::TerminalText(a).c_str(), engine::TerminalText(b).c_str(),
                survivor.c_str());
  } else {
    HT_ASSIGN_OR_RETURN(auto outcome, linker.Unlink(a, b, o.reason, actor));
    details["constraint"] = outcome.constraint_id;
    details["split"] = outcome.split;
    details["result"] = outcome.subjects;
    touched = outcome.subjects;
    if (outcome.split) {
      std::string ids;
      for (const auto& s : outcome.subjects) ids += " " + s;
      std::printf("unlinked %s and %s (%s): the subject is now%s\n", engine::TerminalText(a).c_str(),
                  engine::TerminalText(b).c_str(), outcome.constraint_id.c_str(), ids.c_str());
    } else {
      std::printf("recorded %s: %s and %s will not be merged automatically\n", outcome.constraint_id.c_str(),
                  engine::TerminalText(a).c_str(), engine::TerminalText(b).c_str());
    }
    for (const std::string& id : {a, b}) {
      auto root = linker.Resolve(id);
      if (root.ok()) touched.push_back(*root);
    }
  }
  return Commit(*store, cache, linker, o, now, details, touched);
}

Result<int> RunIdentAdd(const SubjectCommandOptions& o) {
  if (o.source.empty()) return Status::InvalidArgument("--source is required: where does this identifier come from?");
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
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
  auto value = ingest::NormalizeIdentifier(*kind, o.args.at(2), o.service);
  if (!value) return Status::InvalidArgument("'" + o.args.at(2) + "' is not a usable " + o.args.at(1));
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, false));
  RecordCache cache(*store);
  Linker linker(cache);
  engine::subjects::AccountInput input;
  input.service = ingest::NormalizeService(o.service);
  input.identifiers.push_back(ingest::Identifier{*kind, *value});
  input.origin = "manual";
  input.source = o.source;
  input.subject_id = o.args.at(0);
  HT_ASSIGN_OR_RETURN(auto attached, linker.Attach(input, Actor{now, Who(o)}));
  std::printf("%s: added %s as account %s", attached.subject_id.c_str(),
              engine::TerminalText(input.identifiers[0].Key()).c_str(), attached.account_id.c_str());
  for (const auto& m : attached.merges) {
    std::printf("; merged %s into %s via %s", m.merged.c_str(), m.survivor.c_str(),
                engine::TerminalText(m.identifier).c_str());
  }
  for (const auto& b : attached.blocked) std::printf("; %s", engine::TerminalText(b).c_str());
  std::printf("\n");
  nlohmann::json details{{"action", "subject ident add"}, {"subject", o.args.at(0)}, {"identifier", input.identifiers[0].Key()},
                         {"account", attached.account_id}, {"source", o.source}, {"merges", attached.merges.size()}};
  return Commit(*store, cache, linker, o, now, details, {attached.subject_id});
}

Result<int> RunAttrSet(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
  engine::subjects::AttributeInput input{o.args.at(0), o.args.at(1), o.args.at(2), o.source, now, Who(o)};
  if (!o.recorded_at.empty()) {
    HT_ASSIGN_OR_RETURN(input.recorded_at, engine::ParseIso8601(o.recorded_at));
  }
  HT_RETURN_IF_ERROR(engine::subjects::CheckAttributeName(input.name));  // before touching the case
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, false));
  RecordCache cache(*store);
  Linker linker(cache);
  HT_ASSIGN_OR_RETURN(auto record, engine::subjects::StageAttribute(cache, input, now));
  std::printf("%s: %s = %s (source: %s, recorded %s by %s)\n", record.subject.c_str(), record.name.c_str(),
              engine::TerminalText(record.value).c_str(), engine::TerminalText(record.source).c_str(),
              engine::FormatDate(record.recorded_at).c_str(), engine::TerminalText(record.recorded_by).c_str());
  nlohmann::json details{{"action", "subject attr set"}, {"subject", record.subject}, {"name", record.name},
                         {"value", record.value}, {"source", record.source}, {"recorded_at", record.recorded_at}};
  return Commit(*store, cache, linker, o, now, details, {record.subject});
}

// Header: subject,name,value,source[,recorded_at,recorded_by]. Bad lines are reported by number and
// skipped; the good ones are stored together.
Result<int> RunAttrImport(const SubjectCommandOptions& o) {
  HT_ASSIGN_OR_RETURN(std::int64_t now, engine::ResolveNow(o.now));
  const std::string& path = o.args.at(0);
  std::ifstream in(path);
  if (!in) return Status::IOError(path + ": cannot open");
  HT_ASSIGN_OR_RETURN(auto store, OpenCase(o.case_dir, false));
  RecordCache cache(*store);
  Linker linker(cache);
  std::string line;
  std::uint64_t line_number = 0, stored = 0, bad = 0;
  std::vector<std::string> header;
  std::vector<std::string> touched;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto cells = ingest::SplitCsvLine(line);
    auto fail = [&](const std::string& why) {
      std::fprintf(stderr, "hashtriage: %s: line %llu: %s\n", engine::TerminalText(path).c_str(),
                   static_cast<unsigned long long>(line_number), engine::TerminalText(why).c_str());
      ++bad;
    };
    if (!cells) {
      fail("unterminated quoted field");
      continue;
    }
    if (header.empty()) {
      for (auto& c : *cells) header.push_back(c);
      const std::vector<std::string> want{"subject", "name", "value", "source"};
      if (header.size() < 4 || !std::equal(want.begin(), want.end(), header.begin())) {
        return Status::InvalidArgument(path + ": line " + std::to_string(line_number) +
                                       ": header must be subject,name,value,source[,recorded_at,recorded_by]");
      }
      continue;
    }
    if (cells->size() != header.size()) {
      fail("expected " + std::to_string(header.size()) + " fields, found " + std::to_string(cells->size()));
      continue;
    }
    engine::subjects::AttributeInput input{(*cells)[0], (*cells)[1], (*cells)[2], (*cells)[3], now, Who(o)};
    if (header.size() > 4 && !(*cells)[4].empty()) {
      auto t = engine::ParseIso8601((*cells)[4]);
      if (!t.ok()) {
        fail("recorded_at: " + t.status().message());
        continue;
      }
      input.recorded_at = *t;
    }
    if (header.size() > 5 && !(*cells)[5].empty()) input.recorded_by = (*cells)[5];
    auto record = engine::subjects::StageAttribute(cache, input, now);
    if (!record.ok()) {
      fail(record.status().message());
      continue;
    }
    ++stored;
    if (std::find(touched.begin(), touched.end(), record->subject) == touched.end()) touched.push_back(record->subject);
  }
  if (header.empty()) return Status::InvalidArgument(path + ": empty file (header subject,name,value,source expected)");
  std::printf("%s: %llu attribute records stored, %llu bad lines\n", engine::TerminalText(path).c_str(),
              static_cast<unsigned long long>(stored),
              static_cast<unsigned long long>(bad));
  nlohmann::json details{{"action", "subject attr import"}, {"file", path}, {"stored", stored}, {"bad", bad}};
  HT_ASSIGN_OR_RETURN(int code, Commit(*store, cache, linker, o, now, details, touched));
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
