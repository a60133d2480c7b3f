// Provenance escaping and the unsafe-entry-name rule.
#include "ingest/provenance.h"

#include <gtest/gtest.h>

namespace hashtriage::ingest {
namespace {

TEST(ProvenanceTest, EscapesOnlyPercentControlsAndInvalidUtf8) {
  EXPECT_EQ(EscapeName("DCIM/a b.jpg"), "DCIM/a b.jpg");
  EXPECT_EQ(EscapeName("caf\xc3\xa9.jpg"), "caf\xc3\xa9.jpg");  // valid UTF-8 kept
  EXPECT_EQ(EscapeName("100%.jpg"), "100%25.jpg");
  EXPECT_EQ(EscapeName(std::string("a\nb\0c", 5)), "a%0Ab%00c");
  EXPECT_EQ(EscapeName("bad\xff\xfe"), "bad%FF%FE");
  EXPECT_EQ(EscapeName("\xc0\xaf"), "%C0%AF");          // overlong '/'
  EXPECT_EQ(EscapeName("\xed\xa0\x80"), "%ED%A0%80");    // UTF-16 surrogate
  EXPECT_EQ(EscapeName("\xe2\x82"), "%E2%82");           // truncated sequence
}

TEST(ProvenanceTest, UnescapeInvertsEscapeForArbitraryBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  all += "%zz%4";
  EXPECT_EQ(UnescapeName(EscapeName(all)), all);
}

TEST(ProvenanceTest, UnsafeEntryNames) {
  for (const char* bad : {"../../etc/x", "/etc/passwd", "a/../../b", "..", "\\windows\\x", "C:\\x", "a\\..\\b"}) {
    EXPECT_TRUE(IsUnsafeEntryName(bad)) << bad;
  }
  for (const char* ok : {"a/b.jpg", "..a/b", "a..b", "dir/...", "ab:c"}) {
    EXPECT_FALSE(IsUnsafeEntryName(ok)) << ok;
  }
}

TEST(ProvenanceTest, AppendStepJoinsWithSlash) { EXPECT_EQ(AppendStep("case.E01/p2", "inode:5:/a"), "case.E01/p2/inode:5:/a"); }

}  // namespace
}  // namespace hashtriage::ingest
