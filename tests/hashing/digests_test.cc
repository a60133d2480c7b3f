// Exact digests against coreutils (md5sum, sha1sum, sha256sum) and xxhsum -H2 as independent truth.
#include "hashing/digests.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

// "hex  name" -> hex, from a coreutils-style checksum line.
std::string FirstField(const std::string& line) { return line.substr(0, line.find(' ')); }

std::string ToolDigest(const std::string& tool, const std::filesystem::path& file) {
  const auto result = RunCommand(tool + " " + ShellQuote(file.string()));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return FirstField(result.out);
}

void ExpectMatchesTools(const std::filesystem::path& file) {
  auto digests = DigestFile(file.string(), DigestSet::All());
  ASSERT_TRUE(digests.ok()) << digests.status().ToString();
  EXPECT_EQ(digests->md5->hex(), ToolDigest("md5sum", file)) << file;
  EXPECT_EQ(digests->sha1->hex(), ToolDigest("sha1sum", file)) << file;
  EXPECT_EQ(digests->sha256->hex(), ToolDigest("sha256sum", file)) << file;
  EXPECT_EQ(digests->xxh3->hex(), ToolDigest("xxhsum -H2", file)) << file;
}

TEST(DigestsTest, MatchCoreutilsAndXxhsumOnEveryTestDataFile) {
  const auto files = testing::FilesUnder(testing::TestDataDir());
  ASSERT_GT(files.size(), 100u);
  // One tool run per algorithm over all files keeps this fast; compare line by line.
  for (const std::string tool : {"md5sum", "sha1sum", "sha256sum", "xxhsum -H2"}) {
    std::string command = "cd " + ShellQuote(testing::TestDataDir().string()) + " && " + tool;
    for (const auto& f : files) command += " " + ShellQuote(f.string());
    const auto truth = testing::SplitLines(RunCommand(command).out);
    ASSERT_EQ(truth.size(), files.size()) << tool;
    for (std::size_t i = 0; i < files.size(); ++i) {
      auto digests = DigestFile(files[i].string(), DigestSet::All());
      ASSERT_TRUE(digests.ok()) << digests.status().ToString();
      const DigestKind kind = tool == "md5sum"    ? DigestKind::kMd5
                              : tool == "sha1sum" ? DigestKind::kSha1
                              : tool == "sha256sum" ? DigestKind::kSha256
                                                    : DigestKind::kXxh3;
      EXPECT_EQ(digests->Hex(kind), FirstField(truth[i])) << tool << " " << files[i];
    }
  }
}

TEST(DigestsTest, ZeroByteFile) {
  testing::TempDir dir;
  testing::WriteText(dir / "empty", "");
  ExpectMatchesTools(dir / "empty");
  EXPECT_EQ(DigestFile((dir / "empty").string(), DigestSet::All())->md5->hex(), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(DigestsTest, HundredMegabyteFileStreamsThroughSmallBuffer) {
  testing::TempDir dir;
  const auto path = dir / "big.bin";
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 rng(42);
    std::vector<std::uint64_t> block(1 << 14);
    for (int i = 0; i < 100 * 8; ++i) {  // 800 x 128 KiB = 100 MiB
      for (auto& w : block) w = rng();
      out.write(reinterpret_cast<const char*>(block.data()), block.size() * sizeof(std::uint64_t));
    }
  }
  ExpectMatchesTools(path);
  // An odd buffer size exercises chunk boundaries that do not line up with any block size.
  auto odd = DigestFile(path.string(), DigestSet::All(), 4093);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->sha256->hex(), ToolDigest("sha256sum", path));
}

TEST(DigestsTest, UnrequestedDigestsAreNotComputed) {
  const std::string text = "abc";
  const auto bytes = std::as_bytes(std::span(text.data(), text.size()));
  const DigestValues v = DigestBytes(bytes, DigestSet().Add(DigestKind::kSha1));
  EXPECT_FALSE(v.md5.has_value());
  EXPECT_FALSE(v.sha256.has_value());
  EXPECT_FALSE(v.xxh3.has_value());
  ASSERT_TRUE(v.sha1.has_value());
  EXPECT_EQ(v.sha1->hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");  // FIPS 180 test vector
}

TEST(DigestsTest, ChunkedUpdatesEqualOneShot) {
  std::vector<std::byte> data(100000);
  std::mt19937 rng(7);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  MultiDigester digester(DigestSet::All());
  for (std::size_t i = 0; i < data.size(); i += 777) {
    digester.Update(std::span(data).subspan(i, std::min<std::size_t>(777, data.size() - i)));
  }
  const DigestValues chunked = digester.Finish();
  const DigestValues whole = DigestBytes(data, DigestSet::All());
  EXPECT_EQ(chunked.md5, whole.md5);
  EXPECT_EQ(chunked.sha1, whole.sha1);
  EXPECT_EQ(chunked.sha256, whole.sha256);
  EXPECT_EQ(chunked.xxh3, whole.xxh3);
}

TEST(DigestsTest, MissingFileIsAnIoErrorNamingThePath) {
  auto result = DigestFile("/nonexistent/hashtriage/file", DigestSet::All());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kIOError);
  EXPECT_NE(result.status().message().find("/nonexistent/hashtriage/file"), std::string::npos);
}

TEST(DigestsTest, HexRoundTripAndRejectsBadHex) {
  auto d = Md5Digest::FromHex("D41D8CD98F00B204E9800998ECF8427E");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hex(), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_FALSE(Md5Digest::FromHex("d41d8cd98f00b204e9800998ecf8427").ok());   // too short
  EXPECT_FALSE(Md5Digest::FromHex("g41d8cd98f00b204e9800998ecf8427e").ok());  // not hex
  EXPECT_FALSE(Sha1Digest::FromHex("d41d8cd98f00b204e9800998ecf8427e").ok());  // MD5 length
}

}  // namespace
}  // namespace hashtriage::hashing
