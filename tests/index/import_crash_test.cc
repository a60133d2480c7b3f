// Atomic import: `hashtriage index import` is killed (SIGKILL) at chosen points through the test
// driver's crash points (tests/reliability/test_driver.cc) and at arbitrary times from outside; afterwards the index must read exactly as before
// (same sets, same answers to every lookup), or, for a kill that came too late, contain the whole
// new set. A later import must then work normally.
#include <gtest/gtest.h>

#include <random>

#include "hashing/digest_types.h"
#include "tests/test_support.h"

namespace hashtriage::index {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

struct Fixture {
  std::vector<std::string> base_md5s;  // in set "base"
  std::vector<std::string> new_md5s;   // in the file whose import is killed
};

std::string Hex(std::mt19937_64& rng, int bytes) {
  std::array<std::uint8_t, 32> b{};
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<std::uint8_t>(rng());
  return hashing::EncodeHex(b.data(), bytes);
}

class ImportCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(99);
    std::string list;
    for (int i = 0; i < 2000; ++i) {
      f_.base_md5s.push_back(Hex(rng, 16));
      list += f_.base_md5s.back() + "  base" + std::to_string(i) + ".jpg\n";
    }
    testing::WriteText(tmp_ / "base.md5", list);
    std::string vics = "{\"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\", \"value\": [\n";
    for (int i = 0; i < 30000; ++i) {
      f_.new_md5s.push_back(Hex(rng, 16));
      vics += std::string(i ? ",\n" : "") + "{\"MediaID\": " + std::to_string(i) + ", \"Category\": 1, \"MD5\": \"" +
              f_.new_md5s.back() + "\", \"SHA1\": \"" + Hex(rng, 20) + "\", \"AltHash\": [{\"HashName\": \"PDQ\", " +
              "\"HashValue\": \"" + Hex(rng, 32) + "\"}]}";
    }
    testing::WriteText(tmp_ / "new.json", vics + "\n]}\n");
    const auto r = Hashtriage("index import --set base --format md5sum --category A " + ShellQuote((tmp_ / "base.md5").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    before_ = Snapshot();
  }

  // The released binary; with `env` (a crash point) the test driver, which alone reads crash points.
  testing::CommandResult Hashtriage(const std::string& args, const std::string& env = "") {
    const std::string bin = env.empty() ? ShellQuote(testing::HashtriageBinary().string()) : testing::DriverBin();
    return RunCommand(env + " " + bin + " " + args + " --index " + ShellQuote(dir_));
  }

  // Everything observable: the set list and the answers for a sample of both files' hashes.
  std::string Snapshot() {
    std::string args = "index lookup";
    for (std::size_t i = 0; i < f_.base_md5s.size(); i += 97) args += " --md5 " + f_.base_md5s[i];
    for (std::size_t i = 0; i < f_.new_md5s.size(); i += 997) args += " --md5 " + f_.new_md5s[i];
    const auto lookup = Hashtriage(args);
    const auto list = Hashtriage("index list --json");
    const auto stats = Hashtriage("index stats --json");
    EXPECT_EQ(list.exit_code, 0) << list.err;
    // stats' disk_bytes may legitimately change (orphaned, invisible files); compare its entries only.
    const auto entries = stats.out.substr(stats.out.find("\"entries\""), stats.out.find("\"disk_bytes\"") - stats.out.find("\"entries\""));
    return list.out + lookup.out + entries;
  }

  testing::TempDir tmp_;
  std::string dir_ = (tmp_ / "idx").string();
  Fixture f_;
  std::string before_;
};

TEST_F(ImportCrashTest, KilledAtEveryStageLeavesTheIndexAsBefore) {
  const std::string import_new = "index import --set new --format vics --memory 1 " + ShellQuote((tmp_ / "new.json").string());
  const std::string replace_base = "index import --set base --format vics --memory 1 " + ShellQuote((tmp_ / "new.json").string());
  for (const std::string point : {"record:1", "record:20000", "record:89999", "before-ingest", "after-ingest"}) {
    for (const auto& command : {import_new, replace_base}) {
      const auto r = Hashtriage(command, "HASHTRIAGE_TEST_CRASH_AT=" + point);
      EXPECT_NE(r.exit_code, 0) << point << " did not crash";
      EXPECT_EQ(Snapshot(), before_) << "after a crash at " << point << " in: " << command;
    }
  }
  // The released binary has no crash points (it never reads them from the environment): the same
  // import works, and staging leftovers were cleaned up.
  const auto ok = RunCommand("HASHTRIAGE_TEST_CRASH_AT=record:1 " + ShellQuote(testing::HashtriageBinary().string()) +
                             " " + import_new + " --index " + ShellQuote(dir_));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(Snapshot(), before_);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir_) / "staging" / "gen-2"));
  const auto hit = Hashtriage("index lookup --md5 " + f_.new_md5s[12345]);
  EXPECT_EQ(hit.exit_code, 10) << hit.out << hit.err;
}

TEST_F(ImportCrashTest, KilledFromOutsideIsAllOrNothing) {
  for (const char* after : {"0.05", "0.2", "0.5", "1.0"}) {
    const auto r = RunCommand("timeout -s KILL " + std::string(after) + " " +
                              ShellQuote(testing::HashtriageBinary().string()) + " index import --set new --format vics " +
                              "--memory 1 --index " + ShellQuote(dir_) + " " + ShellQuote((tmp_ / "new.json").string()));
    const std::string now = Snapshot();
    if (now == before_) continue;  // killed before the commit
    // Killed after the commit (or not at all): the whole new set is there.
    const auto list = Hashtriage("index list --json");
    EXPECT_NE(list.out.find("\"md5\": 30000"), std::string::npos) << list.out;
    ASSERT_EQ(Hashtriage("index remove --set new").exit_code, 0);
    ASSERT_EQ(Snapshot(), before_);
  }
}

}  // namespace
}  // namespace hashtriage::index
