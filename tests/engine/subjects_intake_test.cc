// `hashtriage intake` and `hashtriage subject ...` driven as a user would, against generated referral
// files, an index built from benign test photos and a real `scan --subject`: malformed records are
// reported by number and the rest stored, re-ingesting is a no-op, a device scan and a later referral
// end up on one subject with both kinds of hits, decisions are audited.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "engine/case/audit_log.h"
#include "engine/subjects/subject_profiles.h"
#include "hashing/digests.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

using nlohmann::json;

struct Cli {
  TempDir dir;
  std::string case_dir = (dir / "case").string();
  std::string index_dir = (dir / "index").string();
  CommandResult Run(const std::string& args, const std::string& now = "2026-11-21T08:00:00Z") {
    return RunCommand(Hashtriage() + " " + args + " --case " + ShellQuote(case_dir) + " --now " + now);
  }
  CommandResult Intake(const std::filesystem::path& file, const std::string& now = "2026-11-21T08:00:00Z") {
    return Run("intake --index " + ShellQuote(index_dir) + " --by 'DC Test' " + ShellQuote(file.string()), now);
  }
  json Json(const std::string& args) {
    auto r = RunCommand(Hashtriage() + " " + args + " --json --case " + ShellQuote(case_dir));
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

TEST(SubjectsIntakeTest, MalformedRecordIsReportedByNumberTheRestStoredAndReingestIsANoOp) {
  Cli cli;
  const std::string known = std::string(32, 'a');
  BuildIndex(cli.index_dir, "test-set", {{known, index::Category::kB}});
  std::vector<json> reports;
  for (int i = 1; i <= 5; ++i) {
    reports.push_back(CybertipReport({.id = "R" + std::to_string(i), .account = std::to_string(i),
                                      .emails = {"user" + std::to_string(i) + "@x.org"},
                                      .md5s = {i == 2 ? known : std::string(32, 'f')}}));
  }
  std::string text;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    std::string line = reports[i].dump();
    if (i == 2) line = line.substr(0, line.size() / 2);  // record 3 is cut short
    text += line + "\n";
  }
  WriteText(cli.dir / "day.jsonl", text);

  auto first = cli.Intake(cli.dir / "day.jsonl");
  EXPECT_EQ(first.exit_code, 1) << first.err;
  EXPECT_NE(first.err.find("day.jsonl: record 3 (line 3)"), std::string::npos) << first.err;
  EXPECT_NE(first.out.find("5 records, 4 stored, 0 already ingested, 1 bad"), std::string::npos) << first.out;
  json list = cli.Json("subject list");
  ASSERT_EQ(list["subjects"].size(), 4u);
  std::uint64_t hits = 0;
  for (const auto& s : list["subjects"]) hits += s["referral_hits"].get<std::uint64_t>();
  EXPECT_EQ(hits, 1u);  // only R2's file is in the index

  auto second = cli.Intake(cli.dir / "day.jsonl", "2026-11-22T08:00:00Z");
  EXPECT_NE(second.out.find("5 records, 0 stored, 4 already ingested, 1 bad"), std::string::npos) << second.out;
  EXPECT_EQ(cli.Json("subject list")["subjects"], list["subjects"]);
}

TEST(SubjectsIntakeTest, ADeviceScanAndALaterReferralAttachToOneSubject) {
  Cli cli;
  const auto photos = TestDataDir() / "photos" / "gnome-faces";
  const std::filesystem::path evidence = cli.dir / "evidence";
  std::filesystem::create_directories(evidence);
  std::filesystem::copy_file(photos / "astronaut.jpg", evidence / "a.jpg");
  std::filesystem::copy_file(photos / "cat.jpg", evidence / "b.jpg");
  const std::string scanned = Md5Of(evidence / "a.jpg");
  const std::string referred = Md5Of(photos / "guitar.jpg");
  BuildIndex(cli.index_dir, "test-set", {{scanned, index::Category::kA}, {referred, index::Category::kC}});

  // `scan --subject` creates the subject.
  auto scan = cli.Run("scan --index " + ShellQuote(cli.index_dir) + " --subject SUSPECT-1 " + ShellQuote(evidence.string()));
  ASSERT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  // The extraction showed the suspect's email; the referral arriving later carries it.
  auto ident = cli.Run("subject ident add SUSPECT-1 email Suspect@Example.org --source 'phone extraction' --by 'DC Test'");
  ASSERT_EQ(ident.exit_code, 0) << ident.err;
  WriteJsonLines(cli.dir / "day.jsonl", {CybertipReport({.id = "R1", .service = "examplechat", .account = "77",
                                                         .emails = {"suspect@example.org"}, .md5s = {referred}})});
  auto intake = cli.Intake(cli.dir / "day.jsonl", "2026-11-23T08:00:00Z");
  ASSERT_EQ(intake.exit_code, 0) << intake.err;
  EXPECT_NE(intake.out.find("-> SUSPECT-1"), std::string::npos) << intake.out;
  EXPECT_NE(intake.out.find("1 device scan(s)"), std::string::npos) << intake.out;

  json show = cli.Json("subject show SUSPECT-1");
  EXPECT_EQ(show["id"], "SUSPECT-1");
  EXPECT_EQ(show["scans"].size(), 1u);
  EXPECT_EQ(show["referrals"].size(), 1u);
  EXPECT_EQ(show["hits_by_category"]["A"], 1);
  EXPECT_EQ(show["hits_by_category"]["C"], 1);
  EXPECT_EQ(cli.Json("subject list")["subjects"].size(), 1u);

  auto store = engine::OpenCase({cli.case_dir, false, true});
  ASSERT_TRUE(store.ok());
  auto profile = engine::LoadSubjectProfile(**store, "SUSPECT-1");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->evidence_numbers.size(), 1u);
  EXPECT_EQ(profile->referral_ids, std::vector<std::string>{"cybertip:R1"});
  EXPECT_EQ(profile->hits.size(), 2u);
  EXPECT_EQ(profile->distribution_events, 1u);
}

TEST(SubjectsIntakeTest, LinkUnlinkAndAttributesAreAuditedWithWhoAndWhy) {
  Cli cli;
  WriteJsonLines(cli.dir / "day.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}}),
                                         CybertipReport({.id = "R2", .account = "2", .emails = {"b@x.org"}})});
  ASSERT_EQ(cli.Intake(cli.dir / "day.jsonl").exit_code, 0);
  auto link = cli.Run("subject link S-000001 S-000002 --reason 'same device IMEI in both' --by 'DS Smith'");
  ASSERT_EQ(link.exit_code, 0) << link.err;
  EXPECT_EQ(cli.Json("subject list")["subjects"].size(), 1u);
  auto unlink = cli.Run("subject unlink S-000001 S-000002 --reason 'IMEI was mistyped' --by 'DS Smith'");
  ASSERT_EQ(unlink.exit_code, 0) << unlink.err;
  EXPECT_EQ(cli.Json("subject list")["subjects"].size(), 2u);

  auto unknown = cli.Run("subject attr set S-000001 favourite_colour yes --source x");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("valid names: prior_contact_offence"), std::string::npos) << unknown.err;
  auto protected_name = cli.Run("subject attr set S-000001 religion yes --source x");
  EXPECT_NE(protected_name.err.find("protected"), std::string::npos) << protected_name.err;
  WriteText(cli.dir / "attrs.csv",
            "subject,name,value,source,recorded_at,recorded_by\n"
            "S-000001,lives_with_children,yes,council records,2026-11-20,DC Jones\n"
            "S-000002,postcode,B1 1AA,x,,\n"
            "S-000002,works_with_children,no,employer,,\n"
            "S-000009,grooming,yes,x,,\n");
  auto import = cli.Run("subject attr import " + ShellQuote((cli.dir / "attrs.csv").string()) + " --by 'PC Import'");
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_NE(import.err.find("line 3: attribute 'postcode' is a protected"), std::string::npos) << import.err;
  EXPECT_NE(import.err.find("line 5: no subject 'S-000009'"), std::string::npos) << import.err;
  EXPECT_NE(import.out.find("2 attribute records stored, 2 bad lines"), std::string::npos) << import.out;
  json s2 = cli.Json("subject show S-000002");
  ASSERT_EQ(s2["attribute_history"].size(), 1u);
  EXPECT_EQ(s2["attribute_history"][0]["recorded_by"], "PC Import");

  auto store = engine::OpenCase({cli.case_dir, false, true});
  ASSERT_TRUE(store.ok());
  std::vector<std::string> actions;
  const auto entries = (*store)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  for (const auto& e : *entries) {
    if (!e.details.contains("action")) continue;
    actions.push_back(e.details["action"].get<std::string>());
    if (actions.back() == "subject unlink") {
      EXPECT_EQ(e.details["reason"], "IMEI was mistyped");
      EXPECT_EQ(e.details["by"], "DS Smith");
      EXPECT_NE(e.command.find("unlink S-000001 S-000002"), std::string::npos);
    }
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"intake batch", "intake", "subject link", "subject unlink",
                                               "subject attr import"}));
  EXPECT_TRUE(engine::VerifyAudit((*store)->audit()).intact);
}

}  // namespace
}  // namespace hashtriage::testing

namespace hashtriage::testing {
namespace {

TEST(SubjectsIntakeTest, ReferralHashesAreMatchedByMd5Sha1AndPdqAndEachImageCountsOnce) {
  TempDir dir;
  const std::string md5 = std::string(31, '1') + "a", sha1 = std::string(39, '2') + "b";
  const std::string pdq = std::string(63, 'c') + "0";
  const std::string near = std::string(63, 'c') + "7";  // 3 bits from `pdq`
  BuildIndex(dir / "index", "test-set",
             std::vector<IndexEntry>{{index::HashType::kMd5, md5, index::Category::kA},
                                     {index::HashType::kSha1, sha1, index::Category::kB},
                                     {index::HashType::kPdq, pdq, index::Category::kC}});
  json report = CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}, .md5s = {md5, std::string(32, 'e')}});
  report["files"].push_back({{"originalFileName", "s.jpg"}, {"originalFileHash", {{{"hashType", "SHA1"}, {"value", sha1}}}}});
  report["files"].push_back({{"originalFileName", "p.jpg"}, {"originalFileHash", {{{"hashType", "PDQ"}, {"value", near}}}}});
  // The same image as the first file again, in a second report for the same account.
  json again = CybertipReport({.id = "R2", .account = "1", .md5s = {md5}});
  WriteJsonLines(dir / "day.jsonl", {report, again});

  auto store = OpenCase(dir / "case");
  index::IndexOptions options;
  options.path = (dir / "index").string();
  auto known = index::KnownIndex::Open(options);
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  auto result = Ingest(*store, known->get(), dir / "day.jsonl", kIntakeDay);
  ASSERT_EQ(result.outcomes.size(), 2u);
  EXPECT_EQ(result.outcomes[0].hits, 3u);  // md5, sha1 and PDQ files; the unknown one is not a hit
  EXPECT_EQ(result.outcomes[1].hits, 1u);

  auto profile = engine::LoadSubjectProfile(*store, result.outcomes[0].subject_id);
  ASSERT_TRUE(profile.ok());
  ASSERT_EQ(profile->hits.size(), 3u);  // R2's file is the same image as R1's first
  std::map<std::string, engine::HitEvidence> by_kind;
  for (const auto& h : profile->hits) by_kind[std::string(engine::MatchKindName(h.kind))] = h;
  EXPECT_EQ(by_kind["md5"].category, index::Category::kA);
  EXPECT_EQ(by_kind["sha1"].category, index::Category::kB);
  EXPECT_EQ(by_kind["pdq"].category, index::Category::kC);
  EXPECT_EQ(by_kind["pdq"].distance, 3);
  EXPECT_EQ(by_kind["md5"].set, "test-set");
  EXPECT_EQ(profile->distribution_events, 2u);  // one upload per provider report
}

// Issue: one malformed IP address in one event dropped the whole referral, its known-image hit included.
TEST(SubjectsIntakeTest, AMalformedIpAddressIsAWarningAndTheReferralIsStoredWithItsHit) {
  Cli cli;
  const std::string known = std::string(32, 'a');
  BuildIndex(cli.index_dir, "test-set", {{known, index::Category::kA}});
  WriteJsonLines(cli.dir / "day.jsonl",
                 {CybertipReport({.id = "R1", .account = "1", .ip = "999.1.1.1", .md5s = {known}})});
  auto intake = cli.Intake(cli.dir / "day.jsonl");
  EXPECT_EQ(intake.exit_code, 0) << intake.err;  // a warning is not a failure
  const std::string warning = "hashtriage: " + (cli.dir / "day.jsonl").string() +
                              ": record 1 (line 1): warning: ipCaptureEvent[0].ipAddress: '999.1.1.1' is not an IP "
                              "address: dropped\n";
  EXPECT_NE(intake.err.find(warning), std::string::npos) << intake.err;
  EXPECT_EQ(intake.err.find(warning), intake.err.rfind(warning)) << "printed more than once:\n" << intake.err;
  EXPECT_NE(intake.out.find("1 records, 1 stored, 0 already ingested, 0 bad"), std::string::npos) << intake.out;
  json list = cli.Json("subject list");
  ASSERT_EQ(list["subjects"].size(), 1u);
  EXPECT_EQ(list["subjects"][0]["referral_hits"], 1);
}

TEST(SubjectsIntakeTest, TwoWaysOfWritingOneUkPhoneNumberLinkTwoReferralsToOneSubject) {
  Cli cli;
  WriteJsonLines(cli.dir / "day.jsonl", {CybertipReport({.id = "R1", .account = "1", .phones = {"07700 900123"}}),
                                         CybertipReport({.id = "R2", .service = "photosite", .account = "2",
                                                         .phones = {"+44 (0)7700 900123"}})});
  auto intake = cli.Intake(cli.dir / "day.jsonl");
  ASSERT_EQ(intake.exit_code, 0) << intake.err;
  EXPECT_EQ(intake.err.find("reportedPerson.phone"), std::string::npos) << intake.err;  // both are possible numbers
  json list = cli.Json("subject list");
  ASSERT_EQ(list["subjects"].size(), 1u) << list.dump(1);
  EXPECT_EQ(cli.Json("subject show " + list["subjects"][0]["id"].get<std::string>())["referrals"].size(), 2u);
}

TEST(SubjectsIntakeTest, PhoneRegionComesFromTheOptionOrTheEnvironment) {
  Cli cli;
  WriteJsonLines(cli.dir / "day.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}})});
  ASSERT_EQ(cli.Intake(cli.dir / "day.jsonl").exit_code, 0);
  // A US national number recorded from a device extraction...
  auto ident = cli.Run("subject ident add S-000001 phone '(202) 555-0143' --phone-region US --source extraction");
  ASSERT_EQ(ident.exit_code, 0) << ident.err;
  EXPECT_NE(ident.out.find("phone:+12025550143"), std::string::npos) << ident.out;
  EXPECT_EQ(cli.Run("subject ident add S-000001 phone 5550143 --phone-region XX --source x").exit_code, 2);
  // ...links a referral read with HASHTRIAGE_PHONE_REGION=US.
  WriteJsonLines(cli.dir / "us.jsonl",
                 {CybertipReport({.id = "R2", .service = "photosite", .account = "9", .phones = {"202-555-0143"}})});
  auto intake = RunCommand("HASHTRIAGE_PHONE_REGION=US " + Hashtriage() + " intake --index " + ShellQuote(cli.index_dir) +
                           " --case " + ShellQuote(cli.case_dir) + " --now 2026-11-21T09:00:00Z " +
                           ShellQuote((cli.dir / "us.jsonl").string()));
  ASSERT_EQ(intake.exit_code, 0) << intake.err;
  EXPECT_EQ(cli.Json("subject list")["subjects"].size(), 1u);
  EXPECT_EQ(cli.Json("subject show S-000001")["referrals"].size(), 2u);
}

TEST(SubjectsIntakeTest, AttributeImportReadsQuotedLineBreaksAndAnUnclosedQuoteCostsOneRecord) {
  Cli cli;
  WriteJsonLines(cli.dir / "day.jsonl", {CybertipReport({.id = "R1", .account = "1", .emails = {"a@x.org"}})});
  ASSERT_EQ(cli.Intake(cli.dir / "day.jsonl").exit_code, 0);
  WriteText(cli.dir / "attrs.csv",
            "subject,name,value,source\r\n"
            "S-000001,lives_with_children,yes,\"council records\r\nletter of 3 May\"\r\n"
            "S-000001,works_with_children,no,\"employer, never closed\r\n"
            "S-000001,grooming,yes,forged\r\n");
  auto import = cli.Run("subject attr import " + ShellQuote((cli.dir / "attrs.csv").string()));
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_NE(import.err.find("line 4: quoted field opened on line 4 is not closed"), std::string::npos) << import.err;
  EXPECT_NE(import.out.find("1 attribute records stored, 1 bad lines"), std::string::npos) << import.out;
  json show = cli.Json("subject show S-000001");
  ASSERT_EQ(show["attribute_history"].size(), 1u) << show.dump(1);
  EXPECT_EQ(show["attribute_history"][0]["source"], "council records\r\nletter of 3 May");
}

}  // namespace
}  // namespace hashtriage::testing
