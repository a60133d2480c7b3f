// Decoding every supported format (generated at test time from a benign test photo) and refusing
// hostile input with a clear error instead of a crash or a huge allocation.
#include "hashing/image_decode.h"

#include <gtest/gtest.h>

#include "hashing/image_hasher.h"
#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

using testing::RunCommand;
using testing::ShellQuote;

class ImageDecodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    source_ = testing::TestDataDir() / "photos/skimage/chelsea.png";  // 451x300 RGB
  }
  static void TearDownTestSuite() { delete dir_; }

  // Converts the source photo with a shell command; returns the new file's hashes.
  static Result<ImageHashes> Convert(const std::string& name, const std::string& command_template) {
    const auto out = *dir_ / name;
    std::string command = command_template;
    command.replace(command.find("IN"), 2, ShellQuote(source_.string()));
    command.replace(command.find("OUT"), 3, ShellQuote(out.string()));
    const auto run = RunCommand(command);
    EXPECT_EQ(run.exit_code, 0) << command << "\n" << run.err;
    return HashImage(testing::ReadBytes(out));
  }

  static PdqHash SourceHash() { return HashImage(testing::ReadBytes(source_))->pdq.hash; }

  static testing::TempDir* dir_;
  static std::filesystem::path source_;
};
testing::TempDir* ImageDecodeTest::dir_ = nullptr;
std::filesystem::path ImageDecodeTest::source_;

TEST_F(ImageDecodeTest, LosslessFormatsGiveTheSameHashAsTheSource) {
  for (const auto& [name, command] : std::vector<std::pair<std::string, std::string>>{
           {"a.bmp", "convert IN BMP3:OUT"},
           {"a.tiff", "convert IN -compress lzw OUT"},
           {"a.webp", "cwebp -quiet -lossless IN -o OUT"},
       }) {
    auto hashes = Convert(name, command);
    ASSERT_TRUE(hashes.ok()) << name << ": " << hashes.status().ToString();
    EXPECT_EQ(hashes->width, 451) << name;
    EXPECT_EQ(hashes->height, 300) << name;
    EXPECT_EQ(HammingDistance(hashes->pdq.hash, SourceHash()), 0) << name;
  }
}

TEST_F(ImageDecodeTest, LossyFormatsStayNearTheSource) {
  for (const auto& [name, command] : std::vector<std::pair<std::string, std::string>>{
           {"a.gif", "convert IN OUT"},
           {"a-lossy.webp", "cwebp -quiet -q 80 IN -o OUT"},
           {"a.heic", "heif-enc -q 80 IN -o OUT"},
           {"a.jpg", "convert IN -quality 85 OUT"},
       }) {
    auto hashes = Convert(name, command);
    ASSERT_TRUE(hashes.ok()) << name << ": " << hashes.status().ToString();
    EXPECT_LE(HammingDistance(hashes->pdq.hash, SourceHash()), 24) << name;
  }
}

TEST_F(ImageDecodeTest, InterlacedGifAndPaletteTransparencyDecode) {
  auto hashes = Convert("interlaced.gif", "convert IN -interlace GIF -transparent white OUT");
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  EXPECT_EQ(hashes->format, ImageFormat::kGif);
  EXPECT_LE(HammingDistance(hashes->pdq.hash, SourceHash()), 24);
}

TEST_F(ImageDecodeTest, AlphaIsCompositedOnWhite) {
  // A fully transparent image must hash like a white one, whatever its colour channels hold.
  auto transparent = Convert("transparent.png", "convert IN -alpha set -channel A -evaluate set 0 +channel OUT");
  ASSERT_TRUE(transparent.ok());
  auto decoded = DecodeImage(testing::ReadBytes(*dir_ / "transparent.png"));
  ASSERT_TRUE(decoded.ok());
  for (float v : decoded->luma.pixels) ASSERT_FLOAT_EQ(v, 255.0f);
}

TEST_F(ImageDecodeTest, LargeJpegUsesDctScalingAndStaysCloseToFullDecode) {
  const auto big = *dir_ / "big.jpg";
  ASSERT_EQ(RunCommand("convert " + ShellQuote(source_.string()) + " -resize 4000x3000! -quality 90 " +
                       ShellQuote(big.string()))
                .exit_code,
            0);
  const auto bytes = testing::ReadBytes(big);
  auto scaled = HashImage(bytes);
  ImageHashOptions full_options;
  full_options.decode.min_short_side = 0;
  auto full = HashImage(bytes, full_options);
  ASSERT_TRUE(scaled.ok() && full.ok());
  EXPECT_EQ(scaled->scale_denominator, 4);  // 3000 / 4 = 750 >= 512; / 8 = 375 < 512
  EXPECT_EQ(full->scale_denominator, 1);
  EXPECT_EQ(scaled->width, 4000);
  EXPECT_LE(HammingDistance(scaled->pdq.hash, full->pdq.hash), 16);
}

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(ImageDecodeHostileTest, PngHeaderClaimingHugeSizeIsRefusedBeforeDecoding) {
  // Signature + IHDR declaring 100000 x 100000 pixels, and nothing else.
  const auto png = Bytes({0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                          0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0});
  auto result = DecodeImage(png);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceLimit);
  EXPECT_NE(result.status().message().find("100000x100000"), std::string::npos);
}

TEST(ImageDecodeHostileTest, JpegFrameHeaderClaimingHugeSizeIsRefused) {
  // SOI, SOF0 declaring 60000 x 60000, then EOI.
  const auto jpeg = Bytes({0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x01, 0x01, 0x11,
                           0x00, 0xFF, 0xD9});
  auto result = DecodeImage(jpeg);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceLimit);
}

TEST(ImageDecodeHostileTest, TruncatedJpegFromTestDataIsCorruption) {
  auto result = DecodeImage(testing::ReadBytes(testing::TestDataDir() / "bad/truncated.jpg"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption);
}

TEST(ImageDecodeHostileTest, EmptyAndTextInputsAreRejected) {
  EXPECT_EQ(DecodeImage({}).status().code(), StatusCode::kCorruption);
  const std::string text = "this is not an image at all";
  EXPECT_EQ(DecodeImage(std::as_bytes(std::span(text.data(), text.size()))).status().code(),
            StatusCode::kNotSupported);
}

TEST(ImageDecodeHostileTest, EveryTruncationOfEveryFormatFailsCleanly) {
  testing::TempDir dir;
  const auto source = testing::TestDataDir() / "photos/gnome-faces/astronaut.jpg";
  const std::vector<std::pair<std::string, std::string>> conversions = {
      {"t.png", "convert IN OUT"}, {"t.gif", "convert IN OUT"},         {"t.bmp", "convert IN BMP3:OUT"},
      {"t.tiff", "convert IN OUT"}, {"t.webp", "cwebp -quiet IN -o OUT"}, {"t.heic", "heif-enc -q 50 IN -o OUT"},
      {"t.jpg", "cp IN OUT"}};
  for (const auto& [name, command_template] : conversions) {
    std::string command = command_template;
    command.replace(command.find("IN"), 2, ShellQuote(source.string()));
    command.replace(command.find("OUT"), 3, ShellQuote((dir / name).string()));
    ASSERT_EQ(RunCommand(command).exit_code, 0) << command;
    const auto whole = testing::ReadBytes(dir / name);
    const auto full = DecodeImage(whole);
    ASSERT_TRUE(full.ok()) << name;
    // Cut at a spread of offsets: every cut fails with Corruption (a recognised format cut short) or
    // NotSupported (too little left to recognise), in one line. The one exception is the TIFF that lost
    // only its last 64 bytes: ImageMagick writes its colour tags (white point, primaries) after the IFD
    // and the pixel strips, so it still decodes, and then to exactly the pixels of the whole file.
    for (std::size_t cut : {std::size_t{1}, std::size_t{8}, std::size_t{20}, whole.size() / 3, whole.size() / 2,
                            whole.size() - 64}) {
      SCOPED_TRACE(name + " cut to " + std::to_string(cut) + " of " + std::to_string(whole.size()) + " bytes");
      std::vector<std::byte> truncated(whole.begin(), whole.begin() + static_cast<long>(cut));
      const auto decoded = DecodeImage(truncated);
      if (name == "t.tiff" && cut == whole.size() - 64) {
        ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
        EXPECT_EQ(decoded->luma.width, full->luma.width);
        EXPECT_EQ(decoded->luma.height, full->luma.height);
        EXPECT_EQ(decoded->luma.pixels, full->luma.pixels);
        continue;
      }
      ASSERT_FALSE(decoded.ok());
      const StatusCode code = decoded.status().code();
      EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kNotSupported) << decoded.status().ToString();
      EXPECT_FALSE(decoded.status().message().empty());
      EXPECT_EQ(decoded.status().message().find('\n'), std::string::npos) << decoded.status().message();
    }
  }
}

}  // namespace
}  // namespace hashtriage::hashing
