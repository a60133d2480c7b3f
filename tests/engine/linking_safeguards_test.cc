// Linking that cannot be abused and never loses a fact: a referral naming a thousand people's
// addresses merges none of them (a person decides), merged-away subjects leave the queue with their
// deadlines passed on, conflicting attribute values survive a link (the riskier counts, a research task
// asks for the right one), and a known phone number added again is not a second account.
// Regression tests for the issue "Referral input that cannot frame anyone" (problem 6) and the issue
// "Results an examiner can rely on" (defects 6 and 10).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/engine/subjects_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

using nlohmann::json;

struct IntakeCli {
  TempDir dir;
  std::string case_dir = (dir / "case").string();
  CommandResult Run(const std::string& args, const std::string& now = "2026-11-21T08:00:00Z") {
    return RunCommand(Hashtriage() + " " + args + " --case " + ShellQuote(case_dir) + " --now " + now);
  }
  CommandResult Intake(const std::vector<json>& reports, const std::string& name, const std::string& now) {
    WriteJsonLines(dir / name, reports);
    return Run("intake --index " + ShellQuote((dir / "no-index").string()) + " --by 'DC Test' " +
                   ShellQuote((dir / name).string()),
               now);
  }
  json Json(const std::string& args) {
    auto r = RunCommand(Hashtriage() + " " + args + " --json --case " + ShellQuote(case_dir));
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return json::parse(r.out, nullptr, false);
  }
  json QueueEntry(const std::string& subject) {
    const json queue = Json("queue --all");
    for (const auto& s : queue["subjects"]) {
      if (s["subject"] == subject) return s;
    }
    return nullptr;
  }
};

TEST(LinkingSafeguardsTest, AReferralNamingManySubjectsMergesNoneAndRaisesPossibleLinks) {
  IntakeCli cli;
  std::vector<json> people;
  std::vector<std::string> emails;
  for (int i = 0; i < 40; ++i) {
    emails.push_back("person" + std::to_string(i) + "@example.org");
    people.push_back(CybertipReport({.id = "P" + std::to_string(i), .account = std::to_string(i), .emails = {emails.back()}}));
  }
  ASSERT_EQ(cli.Intake(people, "people.jsonl", "2026-11-20T08:00:00Z").exit_code, 0);
  ASSERT_EQ(cli.Json("subject list")["subjects"].size(), 40u);
  // One hostile report listing every one of those addresses.
  const auto r = cli.Intake({CybertipReport({.id = "HOSTILE", .account = "evil", .emails = emails})}, "hostile.jsonl",
                            "2026-11-21T08:00:00Z");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("LINKING HELD BACK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 held back for a person"), std::string::npos) << r.out;
  // Nobody was merged: 40 people plus the hostile report's own subject.
  const json list = cli.Json("subject list");
  ASSERT_EQ(list["subjects"].size(), 41u);
  for (const auto& s : list["subjects"]) EXPECT_EQ(s["merged_ids"], 0) << s.dump();
  // The new subject shows a possible link to each, with the reason, for a person to decide.
  std::string hostile;
  for (const auto& s : list["subjects"]) {
    if (s["created"] == "2026-11-21T08:00:00Z") hostile = s["id"];
  }
  ASSERT_FALSE(hostile.empty());
  const json show = cli.Json("subject show " + hostile);
  EXPECT_EQ(show["possible_links"].size(), 40u);
  for (const auto& p : show["possible_links"]) {
    EXPECT_EQ(p["basis"], "identifiers");
    EXPECT_NE(p["reason"].get<std::string>().find("none merged"), std::string::npos) << p.dump();
  }
}

TEST(LinkingSafeguardsTest, AFewSharedIdentifiersStillMergeAutomatically) {
  IntakeCli cli;
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                        CybertipReport({.id = "R2", .service = "otherapp", .account = "2", .emails = {"b@x.org"}})},
                       "day1.jsonl", "2026-11-20T08:00:00Z")
                .exit_code,
            0);
  const auto r = cli.Intake({CybertipReport({.id = "R3", .service = "third", .account = "3", .emails = {"a@x.org", "b@x.org"}})},
                            "day2.jsonl", "2026-11-21T08:00:00Z");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("HELD BACK"), std::string::npos) << r.out;
  EXPECT_EQ(cli.Json("subject list")["subjects"].size(), 1u);
}

TEST(LinkingSafeguardsTest, MergedAwaySubjectsLeaveTheQueueAndPassTheirDeadlineOn) {
  IntakeCli cli;
  // SUSPECT-1 exists first (a device scan with no hits on the 1st), so it survives any merge. S-000001
  // enters the queue on the 5th (Medium: deadline the 19th); SUSPECT-1 only on the 15th (deadline the
  // 29th). Linking them must not postpone the work: the survivor takes the earlier deadline.
  std::filesystem::create_directories(cli.dir / "empty-phone");
  ASSERT_EQ(cli.Run("scan --no-index --subject SUSPECT-1 " + ShellQuote((cli.dir / "empty-phone").string()),
                    "2026-11-01T08:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R1", .account = "1", .emails = {"b@x.org"}})}, "early.jsonl",
                       "2026-11-05T08:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli.Run("subject ident add SUSPECT-1 email a@x.org --source 'phone extraction' --by 'DC T'",
                    "2026-11-14T08:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R2", .service = "other", .account = "2", .emails = {"a@x.org"}})},
                       "late.jsonl", "2026-11-15T08:00:00Z")
                .exit_code,
            0);
  const json early = cli.QueueEntry("S-000001"), late = cli.QueueEntry("SUSPECT-1");
  ASSERT_TRUE(early.is_object() && late.is_object());
  ASSERT_EQ(early["band"], late["band"]);
  ASSERT_LT(early["deadline"].get<std::string>(), late["deadline"].get<std::string>());
  const auto link = cli.Run("subject link SUSPECT-1 S-000001 --reason 'same person per provider' --by 'DS Vale'",
                            "2026-11-16T08:00:00Z");
  ASSERT_EQ(link.exit_code, 0) << link.err;
  EXPECT_NE(link.out.find("one subject SUSPECT-1"), std::string::npos) << "the older subject survives: " << link.out;
  // The merged-away subject's entry is closed ("merged into"); the survivor keeps the earlier deadline.
  const json merged = cli.QueueEntry("S-000001"), survivor = cli.QueueEntry("SUSPECT-1");
  EXPECT_EQ(merged["status"], "closed: merged into SUSPECT-1") << merged.dump();
  EXPECT_FALSE(survivor["status"].get<std::string>().starts_with("closed")) << survivor.dump();
  EXPECT_EQ(survivor["deadline"], early["deadline"]) << survivor.dump();
  EXPECT_EQ(survivor["entered"], early["entered"]) << survivor.dump();
  // The open queue holds the person once.
  std::size_t open = 0;
  const json queue = cli.Json("queue");
  for (const auto& s : queue["subjects"]) open += s["status"].get<std::string>().starts_with("closed") ? 0 : 1;
  EXPECT_EQ(open, 1u);
}

TEST(LinkingSafeguardsTest, ConflictingAttributesSurviveALinkAndTheRiskierCountsUntilResolved) {
  IntakeCli cli;
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                        CybertipReport({.id = "R2", .service = "other", .account = "2", .emails = {"b@x.org"}})},
                       "day.jsonl", "2026-11-20T08:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli.Run("subject attr set S-000001 lives_with_children yes --source PNC --by 'DC A'").exit_code, 0);
  ASSERT_EQ(cli.Run("subject attr set S-000002 lives_with_children no --source 'social services' --by 'DC B'").exit_code, 0);
  ASSERT_EQ(cli.Run("subject link S-000001 S-000002 --reason 'same person' --by 'DS Vale'", "2026-11-22T08:00:00Z").exit_code, 0);
  // Both values are kept with their sources; the riskier one (yes) counts; a task asks for the right one.
  json show = cli.Json("subject show S-000001");
  const json* lives = nullptr;
  for (const auto& a : show["attributes"]) {
    if (a["name"] == "lives_with_children") lives = &a;
  }
  ASSERT_NE(lives, nullptr);
  EXPECT_EQ((*lives)["value"], "yes");
  ASSERT_TRUE(lives->contains("conflict")) << lives->dump();
  ASSERT_EQ((*lives)["conflict"].size(), 2u);
  std::set<std::string> sources;
  for (const auto& c : (*lives)["conflict"]) sources.insert(c["source"]);
  EXPECT_EQ(sources, (std::set<std::string>{"PNC", "social services"}));
  json entry = cli.QueueEntry("S-000001");
  bool counted = false;  // the merge must not lower the risk: yes still counts
  for (const auto& f : entry["factors"]) counted = counted || f["id"] == "lives_with_children";
  EXPECT_TRUE(counted) << entry.dump();
  bool conflict_task = false;
  for (const auto& t : entry["research_needed"]) conflict_task = conflict_task || t.contains("conflict");
  EXPECT_TRUE(conflict_task) << entry.dump();
  // A person records the value after the merge: the conflict is resolved.
  ASSERT_EQ(cli.Run("subject attr set S-000001 lives_with_children no --source 'home visit' --by 'DC C'",
                    "2026-11-23T08:00:00Z")
                .exit_code,
            0);
  show = cli.Json("subject show S-000001");
  for (const auto& a : show["attributes"]) {
    if (a["name"] != "lives_with_children") continue;
    EXPECT_EQ(a["value"], "no");
    EXPECT_FALSE(a.contains("conflict")) << a.dump();
  }
  entry = cli.QueueEntry("S-000001");
  for (const auto& t : entry["research_needed"]) EXPECT_FALSE(t.contains("conflict")) << t.dump();
}

TEST(LinkingSafeguardsTest, AddingAKnownPhoneNumberAgainDoesNotCreateASecondAccount) {
  IntakeCli cli;
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R1", .account = "1", .phones = {"+447700900123"}})}, "day.jsonl",
                       "2026-11-20T08:00:00Z")
                .exit_code,
            0);
  const auto accounts_before = cli.Json("subject show S-000001")["accounts"].size();
  const auto r = cli.Run("subject ident add S-000001 phone +447700900123 --source 'phone extraction' --by 'DC T'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already known"), std::string::npos) << r.out;
  EXPECT_EQ(cli.Json("subject show S-000001")["accounts"].size(), accounts_before);
}

// Defect 8: the queue's evidence references were internal store keys ("S-000001\u0000..."). They are
// references people can quote, and no export holds a NUL.
TEST(LinkingSafeguardsTest, QueueEvidenceReferencesAreReadableAndHoldNoNul) {
  IntakeCli cli;
  ASSERT_EQ(cli.Intake({CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}})}, "day.jsonl",
                       "2026-11-20T08:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli.Run("subject attr set S-000001 works_with_children yes --source PNC --by 'DC A'").exit_code, 0);
  const auto queue = RunCommand(Hashtriage() + " queue --json --case " + ShellQuote(cli.case_dir));
  ASSERT_EQ(queue.exit_code, 0);
  EXPECT_EQ(queue.out.find("\\u0000"), std::string::npos) << queue.out;
  EXPECT_EQ(queue.out.find('\0'), std::string::npos);
  bool found = false;
  const json parsed = json::parse(queue.out);
  for (const auto& f : parsed["subjects"][0]["factors"]) {
    for (const auto& e : f["evidence"]) {
      if (e["kind"] == "attribute") {
        found = true;
        EXPECT_TRUE(e["ref"].get<std::string>().starts_with("attribute #")) << e.dump();
      }
    }
  }
  EXPECT_TRUE(found);
  const auto html = RunCommand(Hashtriage() + " export queue --format html --case " + ShellQuote(cli.case_dir));
  EXPECT_EQ(html.out.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace hashtriage::testing
