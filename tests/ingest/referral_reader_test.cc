// Referral parsers against generated files: every JSON layout (one object, array, concatenated, JSON
// Lines), P2P and generic CSV; a malformed record is reported with its number and line and the rest
// of the file is still read; ids are stable (report id, or a content hash when there is none).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/referral/referral_reader.h"
#include "tests/test_support.h"

namespace hashtriage::ingest {
namespace {

using nlohmann::json;

json Report(const std::string& id, const std::string& email) {
  return json{{"reportId", id},
              {"incidentSummary", {{"incidentType", "Apparent Child Pornography"},
                                   {"incidentDateTime", "2026-11-20T10:15:00+01:00"},
                                   {"escalateToHighPriority", id == "R2"}}},
              {"reportedPerson", {{"espService", "ExampleChat"}, {"espIdentifier", "user-" + id},
                                  {"email", {email}}, {"phone", "+44 7700 900123"}, {"screenName", "Nick_" + id}}},
              {"ipCaptureEvent", {{{"ipAddress", "203.0.113.7"}, {"eventName", "Upload"},
                                   {"dateTime", "2026-11-20T09:00:00Z"}, {"port", 443}}}},
              {"files", {{{"originalFileName", "a.jpg"},
                          {"originalFileHash", {{{"hashType", "MD5"}, {"value", std::string(32, 'a')}},
                                                {{"hashType", "SHA-1"}, {"value", std::string(40, 'b')}}}},
                          {"fileAnnotations", {{"possibleSelfProduction", true}}}}}},
              {"industryClassification", "B1"}};
}

struct Read {
  std::vector<ReferralRecord> records;
  Status status;
};

Read ReadAll(const std::filesystem::path& path, ReferralReaderOptions options = {}) {
  Read out;
  auto reader = OpenReferralReader(path.string(), options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  for (;;) {
    auto next = (*reader)->Next();
    if (!next.ok()) {
      out.status = next.status();
      break;
    }
    if (!next->has_value()) break;
    out.records.push_back(std::move(**next));
  }
  return out;
}

TEST(ReferralReaderTest, CybertipFieldsAreParsedNormalisedAndInUtc) {
  hashtriage::testing::TempDir dir;
  hashtriage::testing::WriteText(dir / "one.json", Report("R1", "Alice@Example.COM").dump(2));
  const Read read = ReadAll(dir / "one.json");
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_TRUE(read.records[0].status.ok()) << read.records[0].status.ToString();
  const Referral& r = read.records[0].referral;
  EXPECT_EQ(r.id, "cybertip:R1");
  EXPECT_EQ(r.service, "examplechat");
  EXPECT_EQ(*r.incident_time, 1795166100);  // 2026-11-20T09:15:00Z
  EXPECT_EQ(r.industry_classification, "B1");
  auto has = [&](IdentifierKind kind, const std::string& value) {
    return std::find(r.identifiers.begin(), r.identifiers.end(), Identifier{kind, value}) != r.identifiers.end();
  };
  EXPECT_TRUE(has(IdentifierKind::kEmail, "alice@example.com"));
  EXPECT_TRUE(has(IdentifierKind::kPhone, "+447700900123"));
  EXPECT_TRUE(has(IdentifierKind::kServiceAccount, "examplechat/user-R1"));
  EXPECT_TRUE(has(IdentifierKind::kScreenName, "examplechat/nick_r1"));
  EXPECT_TRUE(has(IdentifierKind::kIp, "203.0.113.7"));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].type, EventType::kUpload);
  EXPECT_EQ(r.events[0].port, 443);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].md5->hex(), std::string(32, 'a'));
  EXPECT_EQ(r.files[0].sha1->hex(), std::string(40, 'b'));
  EXPECT_TRUE(r.files[0].possible_self_production);
}

TEST(ReferralReaderTest, ArrayConcatenatedAndJsonLinesGiveTheSameReferrals) {
  hashtriage::testing::TempDir dir;
  const json a = Report("R1", "a@x.org"), b = Report("R2", "b@x.org"), c = Report("R3", "c@x.org");
  hashtriage::testing::WriteText(dir / "array.json", json::array({a, b, c}).dump(1));
  hashtriage::testing::WriteText(dir / "concat.json", a.dump(2) + "\n" + b.dump(2) + "\n" + c.dump(2) + "\n");
  hashtriage::testing::WriteText(dir / "lines.jsonl", a.dump() + "\n" + b.dump() + "\n" + c.dump() + "\n");
  for (const char* name : {"array.json", "concat.json", "lines.jsonl"}) {
    const Read read = ReadAll(dir / name);
    ASSERT_TRUE(read.status.ok()) << name;
    ASSERT_EQ(read.records.size(), 3u) << name;
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_TRUE(read.records[i].status.ok()) << name << " " << read.records[i].status.ToString();
      EXPECT_EQ(read.records[i].number, i + 1) << name;
      EXPECT_EQ(read.records[i].referral.id, "cybertip:R" + std::to_string(i + 1)) << name;
    }
    EXPECT_TRUE(read.records[1].referral.escalate_to_high_priority) << name;
  }
}

TEST(ReferralReaderTest, MalformedRecordsAreReportedWithNumberAndLineAndMalformedFieldsAreWarnings) {
  hashtriage::testing::TempDir dir;
  json bad_time = Report("R3", "c@x.org");
  bad_time["incidentSummary"]["incidentDateTime"] = "yesterday";
  json bad_hash = Report("R5", "e@x.org");
  bad_hash["files"][0]["originalFileHash"][0]["value"] = "xyz";
  std::string text = Report("R1", "a@x.org").dump() + "\n" +
                     Report("R2", "b@x.org").dump().substr(0, 60) + "\n" +  // cut short mid-object
                     bad_time.dump() + "\n" + "not json at all\n" + bad_hash.dump() + "\n" +
                     Report("R6", "f@x.org").dump() + "\n";
  hashtriage::testing::WriteText(dir / "mixed.jsonl", text);
  const Read read = ReadAll(dir / "mixed.jsonl");
  ASSERT_TRUE(read.status.ok());
  ASSERT_EQ(read.records.size(), 6u);
  const bool expect_ok[] = {true, false, true, false, true, true};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(read.records[i].status.ok(), expect_ok[i]) << "record " << i + 1 << ": " << read.records[i].status.ToString();
    EXPECT_EQ(read.records[i].number, i + 1);
    EXPECT_EQ(read.records[i].line, i + 1);
  }
  // A bad time or hash costs only that field: the report is kept with a warning naming it.
  const Referral& r3 = read.records[2].referral;
  EXPECT_FALSE(r3.incident_time);
  ASSERT_EQ(r3.warnings.size(), 1u);
  EXPECT_TRUE(r3.warnings[0].starts_with("incidentSummary.incidentDateTime: ")) << r3.warnings[0];
  EXPECT_TRUE(r3.warnings[0].ends_with(": dropped")) << r3.warnings[0];
  EXPECT_EQ(r3.files[0].md5->hex(), std::string(32, 'a'));
  const Referral& r5 = read.records[4].referral;
  ASSERT_EQ(r5.warnings.size(), 1u);
  EXPECT_TRUE(r5.warnings[0].starts_with("files[0].originalFileHash[0].value: ")) << r5.warnings[0];
  ASSERT_EQ(r5.files.size(), 1u);
  EXPECT_FALSE(r5.files[0].md5);
  EXPECT_EQ(r5.files[0].sha1->hex(), std::string(40, 'b'));  // the other hash of the file stays
  EXPECT_TRUE(read.records[0].referral.warnings.empty());
  EXPECT_EQ(read.records[5].referral.id, "cybertip:R6");
}

// Issue: one malformed IP address in one event dropped the whole referral, its known-image hit included.
TEST(ReferralReaderTest, AMalformedIpAddressCostsOnlyThatAddress) {
  hashtriage::testing::TempDir dir;
  json report = Report("R1", "a@x.org");
  report["ipCaptureEvent"] = json::array({{{"ipAddress", "203.0.113.7"}, {"eventName", "Login"}},
                                          {{"ipAddress", "198.51.100.9"}, {"eventName", "Upload"}},
                                          {{"ipAddress", "999.1.1.1"}, {"eventName", "Upload"}, {"port", 443}}});
  hashtriage::testing::WriteText(dir / "one.json", report.dump());
  const Read read = ReadAll(dir / "one.json");
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_TRUE(read.records[0].status.ok()) << read.records[0].status.ToString();
  const Referral& r = read.records[0].referral;
  EXPECT_EQ(r.warnings, std::vector<std::string>{"ipCaptureEvent[2].ipAddress: '999.1.1.1' is not an IP address: dropped"});
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2].ip, "");
  EXPECT_EQ(r.events[2].port, 443);
  EXPECT_EQ(r.events[2].type, EventType::kUpload);
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].md5->hex(), std::string(32, 'a'));
  EXPECT_EQ(std::count_if(r.identifiers.begin(), r.identifiers.end(),
                          [](const Identifier& id) { return id.kind == IdentifierKind::kIp; }),
            2);
}

TEST(ReferralReaderTest, AReportWithNothingUsableIsStillRejectedNamingWhatWasDropped) {
  hashtriage::testing::TempDir dir;
  json report = {{"reportId", "R9"}, {"reportedPerson", {{"email", "not-an-address"}}},
                 {"ipCaptureEvent", {{{"ipAddress", "999.1.1.1"}}}}};
  hashtriage::testing::WriteText(dir / "one.json", report.dump());
  const Read read = ReadAll(dir / "one.json");
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_FALSE(read.records[0].status.ok());
  const std::string& message = read.records[0].status.message();
  EXPECT_NE(message.find("report has no reported person, IP address or file"), std::string::npos) << message;
  EXPECT_NE(message.find("reportedPerson.email: 'not-an-address' is not an email address: dropped"), std::string::npos)
      << message;
  EXPECT_NE(message.find("ipCaptureEvent[0].ipAddress: '999.1.1.1'"), std::string::npos) << message;
}

TEST(ReferralReaderTest, PrettyPrintedObjectCutShortDoesNotSwallowTheNextRecord) {
  hashtriage::testing::TempDir dir;
  const std::string first = Report("R1", "a@x.org").dump(2);
  const std::string second = Report("R2", "b@x.org").dump(2);
  // The first object loses its last lines; the second starts on its own line.
  hashtriage::testing::WriteText(dir / "cut.json", first.substr(0, first.size() / 2) + "\n" + second + "\n");
  const Read read = ReadAll(dir / "cut.json");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_FALSE(read.records[0].status.ok());
  ASSERT_TRUE(read.records[1].status.ok()) << read.records[1].status.ToString();
  EXPECT_EQ(read.records[1].referral.id, "cybertip:R2");
}

TEST(ReferralReaderTest, RecordWithoutReportIdGetsAStableContentId) {
  hashtriage::testing::TempDir dir;
  json a = Report("", "a@x.org");
  a.erase("reportId");
  json b = a;
  b["reportedPerson"]["email"] = {"other@x.org"};
  hashtriage::testing::WriteText(dir / "x.json", json::array({a, b}).dump());
  hashtriage::testing::WriteText(dir / "y.jsonl", a.dump() + "\n");
  const Read x = ReadAll(dir / "x.json"), y = ReadAll(dir / "y.jsonl");
  ASSERT_EQ(x.records.size(), 2u);
  ASSERT_EQ(y.records.size(), 1u);
  EXPECT_TRUE(x.records[0].referral.id.starts_with("cybertip:sha256:"));
  EXPECT_EQ(x.records[0].referral.id, y.records[0].referral.id);  // same content, other file layout
  EXPECT_NE(x.records[0].referral.id, x.records[1].referral.id);
}

TEST(ReferralReaderTest, P2pCsvRowsAreOffersAndBadCellsNameTheirColumn) {
  hashtriage::testing::TempDir dir;
  hashtriage::testing::WriteText(dir / "p2p.csv",
                     "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n"
                     "2026-11-20T01:00:00Z,BitTorrent,{ABCDEF01-2345-6789-ABCD-EF0123456789},198.51.100.4,6881,"
                     "\"x, y.jpg\"," + std::string(32, 'c') + ",," + "1234\n"
                     "2026-11-20T01:05:00Z,BitTorrent,abcdef0123456789abcdef0123456789,198.51.100.4,6881,z.jpg,nothex,,\n"
                     "2026-11-20T01:06:00Z,BitTorrent,abcdef0123456789abcdef0123456789,999.1.1.1,6881,z.jpg," +
                         std::string(32, 'd') + ",,\n"
                     "\n"
                     "2026-11-20T01:07:00Z,BitTorrent,abcdef0123456789abcdef0123456789,198.51.100.4,6881,w.jpg,," +
                         std::string(40, 'e') + ",\n");
  const Read read = ReadAll(dir / "p2p.csv");
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.records.size(), 4u);
  const Referral& first = read.records[0].referral;
  ASSERT_TRUE(read.records[0].status.ok()) << read.records[0].status.ToString();
  EXPECT_EQ(first.format, "p2p");
  EXPECT_EQ(first.files[0].name, "x, y.jpg");
  EXPECT_EQ(*first.files[0].size, 1234u);
  EXPECT_EQ(first.events[0].type, EventType::kOffer);
  EXPECT_EQ(first.identifiers[0], (Identifier{IdentifierKind::kClientGuid, "abcdef0123456789abcdef0123456789"}));
  // A P2P row whose only hash is malformed has nothing to match: rejected, naming the column.
  EXPECT_FALSE(read.records[1].status.ok());
  EXPECT_NE(read.records[1].status.message().find("column md5"), std::string::npos);
  EXPECT_EQ(read.records[1].line, 3u);
  // A malformed address costs only the address.
  ASSERT_TRUE(read.records[2].status.ok()) << read.records[2].status.ToString();
  EXPECT_EQ(read.records[2].referral.warnings,
            std::vector<std::string>{"column ip: '999.1.1.1' is not an IP address: dropped"});
  EXPECT_EQ(read.records[2].referral.files[0].md5->hex(), std::string(32, 'd'));
  EXPECT_EQ(read.records[3].line, 6u);  // the blank line is skipped but counted
  EXPECT_TRUE(read.records[3].status.ok());
  EXPECT_TRUE(read.records[3].referral.id.starts_with("p2p:sha256:"));
}

// Regression (CSV framing): a P2P file name holding quoted newlines and a fake row. The line-based
// splitter rejected the real row as "unterminated quoted field" and parsed each line inside the quotes
// as a record: a referral with a known-image hit against a client the monitor never saw.
TEST(ReferralReaderTest, QuotedNewlinesInAFileNameCannotFrameAnotherClient) {
  hashtriage::testing::TempDir dir;
  const std::string known_md5(32, 'f');
  const std::string file_name = "holiday\n2026-11-20T02:00:00Z,bittorrent,GUID-FRAMED,203.0.113.5,6881,x.jpg," +
                                known_md5 + ",,1000\nrest.jpg";
  // Written by Python's csv module, which quotes the name (the way a monitoring tool writes it).
  const auto script = dir / "write.py";
  hashtriage::testing::WriteText(script,
                     "import csv, sys\n"
                     "with open(sys.argv[1], 'w', newline='') as f:\n"
                     "    w = csv.writer(f)\n"
                     "    w.writerow(['observed_at','network','client_guid','ip','port','file_name','md5','sha1','file_size'])\n"
                     "    w.writerow(['2026-11-20T01:00:00Z','bittorrent','{ABCDEF01-2345-6789-ABCD-EF0123456789}',"
                     "'198.51.100.4','6881',sys.argv[2],sys.argv[3],'','2048'])\n");
  const auto written = hashtriage::testing::RunCommand("python3 " + hashtriage::testing::Q(script) + " " + hashtriage::testing::Q(dir / "p2p.csv") + " " +
                                           hashtriage::testing::ShellQuote(file_name) + " " + known_md5);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const Read read = ReadAll(dir / "p2p.csv");
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  for (const ReferralRecord& record : read.records) {
    for (const Identifier& id : record.referral.identifiers) {
      EXPECT_NE(id.value, "guidframed") << "line " << record.line << ": " << id.Key();
    }
  }
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_TRUE(read.records[0].status.ok()) << read.records[0].status.ToString();
  const Referral& r = read.records[0].referral;
  EXPECT_EQ(read.records[0].line, 2u);
  EXPECT_EQ(r.identifiers[0], (Identifier{IdentifierKind::kClientGuid, "abcdef0123456789abcdef0123456789"}));
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].name, file_name);
}

TEST(ReferralReaderTest, GenericCsvMapsColumnsAndGroupsRowsOfOneReport) {
  hashtriage::testing::TempDir dir;
  hashtriage::testing::WriteText(dir / "tips.csv",
                     "Tip,When,Platform,User,Mail,Hash\n"
                     "T1,2026-11-20 08:00:00,PhotoSite,u1,one@x.org;One2@X.org," + std::string(32, '1') + "\n"
                     "T1,2026-11-20 08:00:00,PhotoSite,u1,one@x.org," + std::string(32, '2') + "\n"
                     "T2,2026-11-21,PhotoSite,u2,two@x.org,\n");
  ReferralReaderOptions options;
  options.columns = "report_id=Tip, time=When, service=Platform, user_id=User, email=Mail, md5=Hash";
  const Read read = ReadAll(dir / "tips.csv", options);
  ASSERT_TRUE(read.status.ok()) << read.status.ToString();
  ASSERT_EQ(read.records.size(), 2u);
  const Referral& t1 = read.records[0].referral;
  EXPECT_EQ(t1.id, "csv:T1");
  EXPECT_EQ(t1.files.size(), 2u);
  EXPECT_EQ(t1.identifiers.size(), 3u);  // service account and two emails
  EXPECT_EQ(read.records[1].referral.id, "csv:T2");

  options.columns = "report_id=Tip,colour=When";
  const Read unknown = ReadAll(dir / "tips.csv", options);
  EXPECT_FALSE(unknown.status.ok());
  EXPECT_NE(unknown.status.message().find("report_id, time"), std::string::npos) << unknown.status.message();
}

TEST(ReferralReaderTest, UkPhoneNumbersInEveryCommonFormBecomeOneE164Number) {
  for (const char* raw : {"07700 900123", "+44 7700 900123", "+44 (0)7700 900123", "0044 7700 900123",
                          "(07700) 900-123", "+447700900123", "tel:+44-7700-900123"}) {
    const NormalizedIdentifier n = NormalizeIdentifierWithNote(IdentifierKind::kPhone, raw);
    EXPECT_EQ(n.value, "+447700900123") << raw;
    EXPECT_EQ(n.note, "") << raw;
  }
  EXPECT_EQ(NormalizeIdentifier(IdentifierKind::kPhone, "(202) 555-0143", {}, "US"), "+12025550143");
  EXPECT_EQ(NormalizeIdentifier(IdentifierKind::kPhone, "202-555-0143", {}, "us"), "+12025550143");
  EXPECT_EQ(NormalizeIdentifier(IdentifierKind::kPhone, "+1 202 555 0143"), "+12025550143");  // any region
  EXPECT_EQ(NormalizeIdentifier(IdentifierKind::kPhone, "000 0000"), std::nullopt);           // placeholder
}

TEST(ReferralReaderTest, APhoneNumberLibphonenumberCannotPlaceKeepsItsDigitsWithAWarning) {
  const NormalizedIdentifier too_long = NormalizeIdentifierWithNote(IdentifierKind::kPhone, "07700 9001234 5678");
  EXPECT_EQ(too_long.value, "0770090012345678");
  EXPECT_EQ(too_long.note, "is not a possible phone number for region GB: kept as 0770090012345678");
  const NormalizedIdentifier no_country = NormalizeIdentifierWithNote(IdentifierKind::kPhone, "+999 123456");
  EXPECT_EQ(no_country.value, "+999123456");
  EXPECT_FALSE(no_country.note.empty());

  hashtriage::testing::TempDir dir;
  json report = Report("R1", "a@x.org");
  report["reportedPerson"]["phone"] = {"07700 900123", "07700 9001234 5678"};
  hashtriage::testing::WriteText(dir / "one.json", report.dump());
  const Read read = ReadAll(dir / "one.json");
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_TRUE(read.records[0].status.ok());
  const Referral& r = read.records[0].referral;
  auto has = [&](const std::string& value) {
    return std::find(r.identifiers.begin(), r.identifiers.end(), Identifier{IdentifierKind::kPhone, value}) !=
           r.identifiers.end();
  };
  EXPECT_TRUE(has("+447700900123"));
  EXPECT_TRUE(has("0770090012345678"));
  EXPECT_EQ(r.warnings, std::vector<std::string>{"reportedPerson.phone: '07700 9001234 5678' is not a possible phone "
                                                 "number for region GB: kept as 0770090012345678"});

  ReferralReaderOptions us;
  us.phone_region = "US";
  report["reportedPerson"]["phone"] = "(202) 555-0143";
  hashtriage::testing::WriteText(dir / "us.json", report.dump());
  const Read read_us = ReadAll(dir / "us.json", us);
  ASSERT_EQ(read_us.records.size(), 1u);
  EXPECT_NE(std::find(read_us.records[0].referral.identifiers.begin(), read_us.records[0].referral.identifiers.end(),
                      Identifier{IdentifierKind::kPhone, "+12025550143"}),
            read_us.records[0].referral.identifiers.end());
  ReferralReaderOptions unknown;
  unknown.phone_region = "XX";
  EXPECT_FALSE(ReadAll(dir / "us.json", unknown).status.ok());
}

TEST(ReferralReaderTest, NormalisationDropsPlaceholdersAndKeepsServiceScope) {
  EXPECT_FALSE(NormalizeIdentifier(IdentifierKind::kEmail, "N/A"));
  EXPECT_FALSE(NormalizeIdentifier(IdentifierKind::kDeviceId, "00000000-0000"));
  EXPECT_EQ(*NormalizeIdentifier(IdentifierKind::kPhone, "0044 7700-900123"), "+447700900123");
  EXPECT_EQ(*NormalizeIdentifier(IdentifierKind::kIp, "::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(*NormalizeIdentifier(IdentifierKind::kServiceAccount, "42", " ExampleChat "), "examplechat/42");
  // An account id without its service could be anyone's: kept, but never strong enough to merge.
  EXPECT_FALSE((Identifier{IdentifierKind::kServiceAccount, "/42"}.strong()));
  EXPECT_TRUE((Identifier{IdentifierKind::kServiceAccount, "examplechat/42"}.strong()));
  EXPECT_FALSE((Identifier{IdentifierKind::kIp, "192.0.2.1"}.strong()));
}

}  // namespace
}  // namespace hashtriage::ingest
