// The README is where a user learns what hashtriage reads: it must document every referral input field
// the parsers accept, and must not point at documents that are not in the repository. Regression test
// for the issue "Results an examiner can rely on", defect 11 (the README pointed to docs/risk-model.md
// and formats.md, which are not in the repo, and the referral fields were documented nowhere).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "ingest/referral/referral_reader.h"

namespace hashtriage::ingest {
namespace {

std::string Readme() {
  std::ifstream in(std::filesystem::path(HASHTRIAGE_SOURCE_DIR) / "README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReadmeDocumentsInputsTest, EveryGenericCsvFieldIsDocumented) {
  const std::string readme = Readme();
  ASSERT_FALSE(readme.empty());
  for (std::string_view field : CsvFieldNames()) {
    EXPECT_NE(readme.find(std::string(field)), std::string::npos) << field;
  }
}

TEST(ReadmeDocumentsInputsTest, PeerToPeerHeaderAndProviderReportFieldsAreDocumented) {
  const std::string readme = Readme();
  EXPECT_NE(readme.find("observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size"), std::string::npos);
  for (const char* key : {"reportId", "incidentSummary", "incidentType", "incidentDateTime", "escalateToHighPriority",
                          "reportedPerson", "espService", "espIdentifier", "screenName", "displayName", "email",
                          "phone", "profileUrl", "deviceId", "estimatedLocation", "ipCaptureEvent", "ipAddress",
                          "eventName", "dateTime", "port", "possibleProxy", "files", "originalFileName",
                          "originalFileHash", "hashType", "fileViewedByEsp", "publiclyAvailable", "fileAnnotations",
                          "possibleSelfProduction", "industryClassification"}) {
    EXPECT_NE(readme.find(key), std::string::npos) << key;
  }
}

TEST(ReadmeDocumentsInputsTest, EveryFileTheReadmeNamesExists) {
  const std::string readme = Readme();
  // Paths in backticks or plain text that look like repository files (folder/…/name.ext).
  const std::regex path(R"((?:^|[\s`(])((?:[a-z_]+/)+[A-Za-z0-9_.+-]+\.(?:md|toml|h|cc|py|txt))(?=[\s`),.;:]|$))");
  std::set<std::string> named;
  for (std::sregex_iterator it(readme.begin(), readme.end(), path), end; it != end; ++it) {
    const std::string rel = (*it)[1];
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(HASHTRIAGE_SOURCE_DIR) / rel)) << rel;
    named.insert(rel);
  }
  // The files a user is sent to: the shipped risk model (its attribute names) and the measurements.
  EXPECT_TRUE(named.count("engine/risk/default_model.toml"));
  EXPECT_TRUE(named.count("bench/RESULTS.md"));
  EXPECT_EQ(readme.find("docs/"), std::string::npos) << "no docs/ folder in the repository";
}

}  // namespace
}  // namespace hashtriage::ingest
