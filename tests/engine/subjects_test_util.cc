#include "tests/engine/subjects_test_util.h"

#include <optional>

#include "engine/case/kv/kv_case.h"
#include "engine/matching/known_matcher.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/time_util.h"
#include "hashing/digest_types.h"
#include "hashing/digests.h"
#include "index/set_writer.h"
#include "ingest/referral/referral_reader.h"

namespace hashtriage::testing {

using nlohmann::json;

json CybertipReport(const ReportSpec& s) {
  json report;
  if (!s.id.empty()) report["reportId"] = s.id;
  report["incidentSummary"] = {{"incidentType", "Apparent Child Pornography"},
                               {"incidentDateTime", engine::FormatIso8601(s.event_time)},
                               {"escalateToHighPriority", s.escalate}};
  json person{{"espService", s.service}};
  if (!s.account.empty()) person["espIdentifier"] = s.account;
  if (!s.emails.empty()) person["email"] = s.emails;
  if (!s.phones.empty()) person["phone"] = s.phones;
  report["reportedPerson"] = person;
  if (!s.ip.empty()) {
    report["ipCaptureEvent"] = json::array({{{"ipAddress", s.ip}, {"eventName", s.event},
                                             {"dateTime", engine::FormatIso8601(s.event_time)}, {"port", 443},
                                             {"possibleProxy", s.proxy}}});
  }
  json files = json::array();
  for (const std::string& md5 : s.md5s) {
    files.push_back({{"originalFileName", md5.substr(0, 8) + ".jpg"},
                     {"originalFileHash", json::array({{{"hashType", "MD5"}, {"value", md5}}})}});
  }
  if (!files.empty()) report["files"] = files;
  return report;
}

void WriteJsonLines(const std::filesystem::path& path, const std::vector<json>& reports) {
  std::string text;
  for (const json& r : reports) text += r.dump() + "\n";
  WriteText(path, text);
}

void BuildIndex(const std::filesystem::path& dir, const std::string& set,
                const std::vector<std::pair<std::string, index::Category>>& md5s) {
  std::vector<IndexEntry> entries;
  for (const auto& [hex, category] : md5s) entries.push_back({index::HashType::kMd5, hex, category});
  BuildIndex(dir, set, entries);
}

void BuildIndex(const std::filesystem::path& dir, const std::string& set, const std::vector<IndexEntry>& entries) {
  index::IndexOptions options;
  options.path = dir.string();
  options.read_only = false;
  auto opened = index::KnownIndex::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto writer = (*opened)->BeginSet(set, "test", false);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  std::uint64_t line = 0;
  for (const auto& e : entries) {
    std::vector<std::uint8_t> bytes(index::HashTypeSize(e.type));
    ASSERT_TRUE(hashing::DecodeHex(e.hex, bytes.data(), bytes.size())) << e.hex;
    index::EntryInfo info;
    info.category = e.category;
    ASSERT_TRUE((*writer)->Add(e.type, bytes, info, 0, ++line).ok());
  }
  index::SetInfo info;
  info.records_read = line;
  auto committed = (*writer)->Commit(info);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
}

IntakeResult Ingest(engine::Case& store, const index::KnownIndex* index, const std::filesystem::path& file,
                    std::int64_t now, engine::subjects::LinkOptions link) {
  IntakeResult result;
  ingest::ReferralReaderOptions options;
  options.parse_time = [](std::string_view t) { return engine::ParseIso8601(t); };
  auto reader = ingest::OpenReferralReader(file.string(), options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return result;
  engine::subjects::IntakeOptions intake;
  intake.by = "DC Test";
  intake.now = now;
  intake.link = link;
  intake.batch_referrals = 7;  // several batches even in small tests
  std::optional<engine::KnownMatcher> matcher;
  if (index != nullptr) matcher.emplace(*index, engine::MatchOptions{});
  engine::subjects::IntakeSession session(store, matcher ? &*matcher : nullptr,
                                          index != nullptr ? engine::StampOf(*index) : engine::IndexStamp{}, intake);
  EXPECT_TRUE(session.Start().ok());
  for (;;) {
    auto next = (*reader)->Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) break;
    if (!(*next)->status.ok()) {
      result.bad_records.push_back((*next)->number);
      continue;
    }
    auto added = session.Add((*next)->referral, file.string(), (*next)->number);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    if (added.ok()) result.outcomes.push_back(*added);
  }
  const Status flushed = session.Flush();
  EXPECT_TRUE(flushed.ok()) << flushed.ToString();
  return result;
}

std::vector<std::size_t> TableSizes(engine::Case& store) {
  std::vector<std::size_t> sizes;
  const engine::kv::KvStore& kv = static_cast<engine::kv::KvCase&>(store).kv();
  for (int t = 0; t < engine::kv::kTableCount; ++t) {
    std::size_t n = 0;
    EXPECT_TRUE(kv.Scan(static_cast<engine::kv::Table>(t), "", [&](std::string_view, std::string_view) {
                       ++n;
                       return true;
                     }).ok());
    sizes.push_back(n);
  }
  return sizes;
}

std::string Md5Of(const std::filesystem::path& file) {
  auto d = hashing::DigestFile(file.string(), hashing::DigestSet().Add(hashing::DigestKind::kMd5));
  EXPECT_TRUE(d.ok()) << file;
  return d.ok() ? d->md5->hex() : "";
}

std::unique_ptr<engine::Case> OpenCase(const std::filesystem::path& dir) {
  engine::CaseOptions options;
  options.location = dir.string();
  auto store = engine::OpenCase(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<std::string> RiskModelDocAttributeNames() {
  std::ifstream in(TestDataDir().parent_path() / "docs" / "risk-model.md");
  EXPECT_TRUE(in.good()) << "risk-model.md not found next to the test data";
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("|")) continue;
    // | Factor | `attribute_name` | Evidence basis | points |
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t bar = line.find('|', start); bar != std::string::npos; bar = line.find('|', start)) {
      cells.push_back(line.substr(start, bar - start));
      start = bar + 1;
    }
    if (cells.size() < 2) continue;
    std::string cell = cells[1];
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    if (cell.size() > 2 && cell.front() == '`' && cell.back() == '`') names.push_back(cell.substr(1, cell.size() - 2));
  }
  return names;
}

std::string Hashtriage() { return ShellQuote(HashtriageBinary().string()); }

}  // namespace hashtriage::testing
