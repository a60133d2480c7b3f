// `hashtriage hash` end to end, driving the real executable: its checksum output must be byte for
// byte what coreutils / xxhsum print for the same paths, and errors must be one clear line each.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

std::string Binary() { return ShellQuote(testing::HashtriageBinary().string()); }

std::string AllTestDataFiles() {
  std::string args;
  for (const auto& f : testing::FilesUnder(testing::TestDataDir())) {
    args += " " + ShellQuote(std::filesystem::relative(f, testing::TestDataDir()).string());
  }
  return args;
}

TEST(HashCommandTest, DigestOutputEqualsCoreutilsAndXxhsumByteForByte) {
  const std::string cd = "cd " + ShellQuote(testing::TestDataDir().string()) + " && ";
  const std::string files = AllTestDataFiles();
  for (const auto& [digest, tool] : std::vector<std::pair<std::string, std::string>>{
           {"md5", "md5sum"}, {"sha1", "sha1sum"}, {"sha256", "sha256sum"}, {"xxh3", "xxhsum -H2"}}) {
    const auto ours = RunCommand(cd + Binary() + " hash --threads 2 --digest " + digest + files);
    const auto theirs = RunCommand(cd + tool + files);
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    ASSERT_FALSE(theirs.out.empty());
    EXPECT_EQ(ours.out, theirs.out) << digest;
  }
}

TEST(HashCommandTest, Md5sumCheckAcceptsOurOutputIncludingAwkwardNames) {
  testing::TempDir dir;
  testing::WriteText(dir / "empty", "");
  testing::WriteText(dir / "back\\slash", "x");
  testing::WriteText(dir / "new\nline", "y");
  {
    std::ofstream big(dir / "hundred-mb", std::ios::binary);
    std::string block(1 << 20, 'a');
    for (int i = 0; i < 100; ++i) {
      block[i] = static_cast<char>(i);
      big << block;
    }
  }
  const std::string cd = "cd " + ShellQuote(dir.path().string()) + " && ";
  const auto ours = RunCommand(cd + Binary() + " hash --digest md5 empty 'back\\slash' 'new\nline' hundred-mb");
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, RunCommand(cd + "md5sum empty 'back\\slash' 'new\nline' hundred-mb").out);
  testing::WriteText(dir / "sums", ours.out);
  EXPECT_EQ(RunCommand(cd + "md5sum -c --quiet sums").exit_code, 0);
}

TEST(HashCommandTest, PdqOutputIsPdqPhotoHasherFormatInInputOrder) {
  const std::string cd = "cd " + ShellQuote(testing::TestDataDir().string()) + " && ";
  const auto one = RunCommand(cd + Binary() + " hash --pdq --compat --threads 1 -r photos pairs");
  const auto two = RunCommand(cd + Binary() + " hash --pdq --compat --threads 2 -r photos pairs");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  // Every reference line (pdq-photo-hasher output) appears verbatim in ours.
  std::ifstream reference(testing::TestDataDir() / "pdq-reference.csv");
  std::string line;
  int found = 0, total = 0;
  while (std::getline(reference, line)) {
    ++total;
    found += one.out.find(line + "\n") != std::string::npos;
  }
  // 158/158 bit-identical (bench/RESULTS.md): every reference line, nothing less.
  EXPECT_EQ(total, 158);
  EXPECT_EQ(found, total);
}

TEST(HashCommandTest, BadFilesGiveOneLineErrorsAndExitStatusOneWhileOthersGoOn) {
  testing::TempDir dir;
  testing::WriteText(dir / "empty.jpg", "");
  testing::WriteText(dir / "text.jpg", "just some text, renamed");
  testing::WriteBytes(dir / "huge.png",
                      {std::byte{0x89}, std::byte{'P'}, std::byte{'N'}, std::byte{'G'}, std::byte{0x0d},
                       std::byte{0x0a}, std::byte{0x1a}, std::byte{0x0a}, std::byte{0}, std::byte{0}, std::byte{0},
                       std::byte{13}, std::byte{'I'}, std::byte{'H'}, std::byte{'D'}, std::byte{'R'},
                       std::byte{0x00}, std::byte{0x01}, std::byte{0x86}, std::byte{0xa0}, std::byte{0x00},
                       std::byte{0x01}, std::byte{0x86}, std::byte{0xa0}, std::byte{8}, std::byte{2},
                       std::byte{0}, std::byte{0}, std::byte{0}});
  const std::string good = (testing::TestDataDir() / "photos/skimage/camera.png").string();
  const std::string truncated = (testing::TestDataDir() / "bad/truncated.jpg").string();
  const auto run = RunCommand(Binary() + " hash --pdq " + ShellQuote(good) + " " + ShellQuote(truncated) + " " +
                              ShellQuote((dir / "empty.jpg").string()) + " " + ShellQuote((dir / "text.jpg").string()) +
                              " " + ShellQuote((dir / "huge.png").string()) + " /nonexistent.jpg");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(testing::SplitLines(run.out).size(), 1u) << run.out;  // only the good file
  EXPECT_NE(run.out.find(good), std::string::npos);
  const auto errors = testing::SplitLines(run.err);
  ASSERT_EQ(errors.size(), 5u) << run.err;
  for (const auto& e : errors) EXPECT_EQ(e.rfind("hashtriage: ", 0), 0u) << e;
  EXPECT_NE(run.err.find("truncated.jpg: JPEG"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("empty.jpg: empty file"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("text.jpg: not a recognised image format"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("huge.png: image declares 100000x100000"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("/nonexistent.jpg: No such file"), std::string::npos) << run.err;
}

TEST(HashCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCommand(Binary() + " hash --digest md4 /dev/null").exit_code, 2);
  EXPECT_EQ(RunCommand(Binary() + " hash --digest md5 --pdq /dev/null").exit_code, 2);  // needs --json
  EXPECT_EQ(RunCommand(Binary() + " hash").exit_code, 2);
}

TEST(HashCommandTest, JsonLinesCarryEveryRequestedField) {
  const auto photo = testing::TestDataDir() / "photos/skimage/astronaut.png";
  const auto run = RunCommand(Binary() + " hash --json --dihedral --digest md5,sha1,sha256,xxh3 " +
                              ShellQuote(photo.string()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["path"], photo.string());
  EXPECT_EQ(j["md5"], RunCommand("md5sum " + ShellQuote(photo.string())).out.substr(0, 32));
  EXPECT_EQ(j["sha1"].get<std::string>().size(), 40u);
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["xxh3_128"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["pdq"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["pdq_dihedral"].size(), 8u);
  EXPECT_EQ(j["pdq_dihedral"][0], j["pdq"]);
  EXPECT_EQ(j["width"], 512);
  EXPECT_EQ(j["format"], "png");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["size"], std::filesystem::file_size(photo));
}

}  // namespace
}  // namespace hashtriage
