// A minimal Cellebrite-style UFDR built with python: report.xml maps package paths to device paths.
#include <filesystem>
#include <gtest/gtest.h>

#include "ingest/internal/ufdr_report.h"
#include "tests/ingest/ingest_test_util.h"

namespace hashtriage::ingest::testing {
namespace {

namespace fs = std::filesystem;

// report.xml in the shape a reader package uses (namespace, taggedFiles, accessInfo, Local Path).
constexpr char kReport[] = R"(<?xml version="1.0" encoding="utf-8"?>
<project id="p1" name="Test" xmlns="http://pa.cellebrite.com/report/2.0">
  <taggedFiles>
    <file fs="Apple HFS+" fsid="f1" path="/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.PNG" size="466706" id="a1" extractionId="0" deleted="Intact" embedded="false">
      <accessInfo>
        <timestamp name="CreationTime">2019-05-04T12:34:56.000+02:00</timestamp>
        <timestamp name="ModifyTime" formattedTimestamp="2020-01-02T03:04:05Z">ignored</timestamp>
      </accessInfo>
      <metadata section="File">
        <item name="Local Path"><![CDATA[files\Image\coffee.png]]></item>
        <item name="SHA256"><![CDATA[00]]></item>
      </metadata>
    </file>
    <file fs="Apple HFS+" fsid="f1" path="/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.PNG" size="139512" id="a2" deleted="Deleted">
      <metadata section="File"><item name="Local Path"><![CDATA[files\Image\camera.png]]></item></metadata>
    </file>
    <file fs="Apple HFS+" fsid="f1" path="/private/var/mobile/Media/DCIM/100APPLE/IMG_0003.JPG" size="10" id="a3" deleted="Intact">
      <metadata section="File"><item name="Local Path"><![CDATA[files\Image\missing.jpg]]></item></metadata>
    </file>
    <file fs="Apple HFS+" path="/var/only-in-report.db" id="a4" deleted="Intact"/>
  </taggedFiles>
</project>
)";

class UfdrSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "pkg/files/Image");
    fs::copy_file(Photo("skimage/coffee.png"), dir_ / "pkg/files/Image/coffee.png");
    fs::copy_file(Photo("skimage/camera.png"), dir_ / "pkg/files/Image/camera.png");
    hashtriage::testing::WriteText(dir_ / "pkg/report.xml", kReport);
    hashtriage::testing::WriteText(dir_ / "pkg/Report.html", "<html></html>");
    MustRun("cd " + ShellQuote((dir_ / "pkg").string()) + " && zip -q -r ../phone.ufdr files Report.html report.xml");
  }
  TempDir dir_;
};

TEST_F(UfdrSourceTest, ItemsCarryTheOriginalDevicePathFromReportXml) {
  const std::string path = (dir_ / "phone.ufdr").string();
  EXPECT_EQ(*DetectSourceType(path), SourceType::kUfdr);
  std::vector<Item> items = OpenAndCollect(path);
  const Item* coffee = FindByPath(items, "phone.ufdr/zip:files/Image/coffee.png");
  ASSERT_NE(coffee, nullptr);
  EXPECT_EQ(coffee->info.original_path, "/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.PNG");
  EXPECT_FALSE(coffee->info.deleted);
  EXPECT_EQ(coffee->info.created, 1556966096);   // 2019-05-04T10:34:56Z
  EXPECT_EQ(coffee->info.modified, 1577934245);  // 2020-01-02T03:04:05Z
  EXPECT_EQ(ReaderMd5(*const_cast<Item*>(coffee)->reader), Md5sum(Photo("skimage/coffee.png")));

  const Item* camera = FindByPath(items, "phone.ufdr/zip:files/Image/camera.png");
  ASSERT_NE(camera, nullptr);
  EXPECT_EQ(camera->info.original_path, "/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.PNG");
  EXPECT_TRUE(camera->info.deleted);

  const Item* html = FindByPath(items, "phone.ufdr/zip:Report.html");  // not in the report: keeps its own name
  ASSERT_NE(html, nullptr);
  EXPECT_EQ(html->info.original_path, "Report.html");

  int missing = 0;
  for (const Item& item : items) {
    if (item.info.kind != ItemKind::kError) continue;
    ++missing;
    EXPECT_EQ(item.info.status.code(), StatusCode::kNotFound);
    EXPECT_NE(item.info.path.find("IMG_0003.JPG"), std::string::npos);
  }
  EXPECT_EQ(missing, 1);
}

TEST_F(UfdrSourceTest, ZipWithoutReportXmlIsAnOrdinaryArchive) {
  MustRun("cd " + ShellQuote((dir_ / "pkg").string()) + " && zip -q -r ../plain.zip files");
  EXPECT_EQ(*DetectSourceType((dir_ / "plain.zip").string()), SourceType::kArchive);
  SourceOptions forced;
  forced.type = SourceType::kUfdr;
  auto source = OpenEvidenceSource((dir_ / "plain.zip").string(), forced);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("report.xml"), std::string::npos);
}

TEST(UfdrReportParserTest, MalformedXmlNamesTheLine) {
  internal::UfdrReportParser parser;
  const std::string xml = "<project>\n<taggedFiles>\n<file path=\"/a\">\n</taggedFiles>";
  Status s = parser.Feed(std::as_bytes(std::span<const char>(xml.data(), xml.size())));
  if (s.ok()) s = parser.Finish().status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("line 4"), std::string::npos) << s.message();
}

TEST(UfdrReportParserTest, ParsesIso8601WithZones) {
  EXPECT_EQ(internal::ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(internal::ParseIso8601("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(internal::ParseIso8601("1970-01-01T00:00:00.999-0130"), 5400);
  EXPECT_EQ(internal::ParseIso8601("2000-02-29 12:00:00"), 951825600);
  EXPECT_FALSE(internal::ParseIso8601("yesterday").has_value());
  EXPECT_FALSE(internal::ParseIso8601("2000-13-01T00:00:00").has_value());
}

}  // namespace
}  // namespace hashtriage::ingest::testing
