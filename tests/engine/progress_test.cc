// Progress display of the long commands (scan, index import, intake): drawn on a terminal (run under
// util-linux `script`, which gives the command a pseudo-terminal) with count, MB or rate, and an ETA
// when the total is known; nothing of it when stderr is a pipe.
#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <regex>
#include <vector>
#include <string>

#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

// An estimate, not the "--:--" shown while the total is unknown.
const std::regex kEta("ETA [0-9]+:[0-9]{2}");

// Runs `command` on a pseudo-terminal; its terminal output (stdout and stderr together).
CommandResult OnTerminal(const std::string& command) {
  return RunCommand("script -qec " + ShellQuote(command) + " /dev/null");
}

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 60,000 md5sum lines: enough records for several progress reports.
    std::string list;
    char line[80];
    for (int i = 0; i < 60000; ++i) {
      std::snprintf(line, sizeof line, "%032x  file%d.jpg\n", i * 2654435761u, i);
      list += line;
    }
    WriteText(dir_.path() / "set.md5", list);
    ASSERT_EQ(RunCommand("mkdir -p " + ShellQuote((dir_.path() / "evidence/a/b").string()) + " && cp " +
                         ShellQuote((TestDataDir() / "photos/skimage").string()) + "/*.png " +
                         ShellQuote((dir_.path() / "evidence/a/b").string()))
                  .exit_code,
              0);
  }
  std::string P(const char* name) const { return ShellQuote((dir_.path() / name).string()); }
  TempDir dir_;
};

TEST_F(ProgressTest, IndexImportShowsRecordsMegabytesAndEtaOnATerminal) {
  const auto r = OnTerminal(Bin() + " index import --index " + P("idx") + " --set t --format md5sum --as A " + P("set.md5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\r\033[Kimport t: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" records, "), std::string::npos);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9.]+ of [0-9.]+ MB"))) << r.out;  // input size = total
  EXPECT_TRUE(std::regex_search(r.out, kEta)) << r.out;
  EXPECT_NE(r.out.find("imported set 't'"), std::string::npos);
}

TEST_F(ProgressTest, ScanOfADirectoryKnowsItsTotal) {
  const auto r = OnTerminal(Bin() + " scan --no-index --case " + P("case") + " " + P("evidence"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\r\033[Kscan: "), std::string::npos) << r.out;
  const auto files = RunCommand("find " + P("evidence") + " -type f | wc -l").out;
  EXPECT_NE(r.out.find("/" + std::to_string(std::stoi(files)) + " files"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9]+ images, [0-9]+ with hits"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, kEta)) << r.out;
}

TEST_F(ProgressTest, CarvingADiskImageShowsTheUnallocatedSpaceExaminedAndEta) {
  // 200 MB of unallocated space (a sparse FAT32 image): several reports, one every 64 MiB.
  ASSERT_EQ(RunCommand("mkfs.vfat -C -F 32 " + P("disk.img") + " 204800 >/dev/null").exit_code, 0);
  const auto r = OnTerminal(Bin() + " scan --no-index --rehash-max-mb 1 --case " + P("case") + " " + P("disk.img"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::regex report("carving disk\\.img: ([0-9]+) of ([0-9]+) MB unallocated, ETA");
  std::vector<long> done;
  long total = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), report); it != std::sregex_iterator(); ++it) {
    done.push_back(std::stol((*it)[1]));
    total = std::stol((*it)[2]);
  }
  ASSERT_GE(done.size(), 4u) << r.out;  // the start, each 64 MiB, the end
  EXPECT_EQ(done.front(), 0);
  EXPECT_EQ(done.back(), total);
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_GT(total, 190);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("MB unallocated, ETA [0-9]+:[0-9]{2}"))) << r.out;
}

TEST_F(ProgressTest, IntakeShowsReferralsMegabytesOfTheFilesAndEta) {
  std::string csv = "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n";
  char row[200];
  for (int i = 0; i < 3000; ++i) {
    std::snprintf(row, sizeof row, "2026-11-20T10:%02d:00Z,gnutella,GUID-%d,192.0.2.%d,6346,f%d.jpg,%032x,,1000\n",
                  i % 60, i % 97, i % 250 + 1, i, i * 2654435761u);
    csv += row;
  }
  WriteText(dir_.path() / "p2p.csv", csv);
  const auto r = OnTerminal(Bin() + " intake --no-pdq --case " + P("icase") + " --index " + P("no-index") + " " + P("p2p.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\r\033[Kintake: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" referrals, "), std::string::npos);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9.]+ of [0-9.]+ MB"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, kEta)) << r.out;
}

TEST_F(ProgressTest, NothingIsDrawnWhenStderrIsAPipe) {
  auto r = RunCommand(Bin() + " index import --index " + P("idx") + " --set t --format md5sum --as A " + P("set.md5"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\033["), std::string::npos);
  r = RunCommand(Bin() + " scan --no-index --case " + P("case") + " " + P("evidence"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\033["), std::string::npos);
}

}  // namespace
}  // namespace hashtriage::testing
