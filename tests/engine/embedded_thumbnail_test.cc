// Embedded thumbnails through the real executable: a JPEG whose EXIF thumbnail (written by exiftool, an
// independent writer) is a reduced copy of a known picture gives a thumbnail hit, an item of its parent
// whose bytes are exactly what exiftool extracts (`exiftool -b -ThumbnailImage`); JPEGs with hostile EXIF
// structures (offsets past the segment, a directory pointing at itself, a count larger than the segment)
// give no thumbnail and no error; --no-thumbnails turns the items off. Thumbnail caches: an Android
// .thumbdata file (JPEG previews in fixed slots) and a Windows thumbcache_*.db laid out as the format's
// documentation describes (Windows 7: file header, "CMMM" entries with identifier and data) give one
// item per preview, byte-identical to the preview written in. A HEIC's thumbnail item is a preview too.
#include <gtest/gtest.h>
#include <libheif/heif.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using nlohmann::json;
using testing::Bin;
using testing::Q;
using testing::RunCommand;
using testing::RunOk;

// `jpeg` with an APP1 "Exif" segment holding `tiff` inserted after its SOI marker.
std::vector<std::byte> WithExif(std::vector<std::byte> jpeg, const std::vector<std::uint8_t>& tiff) {
  std::vector<std::uint8_t> seg = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  seg.insert(seg.end(), tiff.begin(), tiff.end());
  const std::size_t length = seg.size() - 2;
  seg[2] = static_cast<std::uint8_t>(length >> 8);
  seg[3] = static_cast<std::uint8_t>(length & 0xFF);
  std::vector<std::byte> out(jpeg.begin(), jpeg.begin() + 2);
  for (std::uint8_t b : seg) out.push_back(static_cast<std::byte>(b));
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// A little-endian TIFF: IFD0 at 8 with no entries, then IFD1 at `ifd1` with `count` entries as given.
std::vector<std::uint8_t> Tiff(std::uint32_t ifd1, std::uint16_t count,
                               const std::vector<std::pair<std::uint16_t, std::uint32_t>>& longs) {
  std::vector<std::uint8_t> t = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) t.push_back(static_cast<std::uint8_t>(ifd1 >> (8 * i)));
  t.resize(std::max<std::size_t>(t.size(), ifd1 + 2));
  if (ifd1 + 2 <= t.size()) {
    t[ifd1] = static_cast<std::uint8_t>(count & 0xFF);
    t[ifd1 + 1] = static_cast<std::uint8_t>(count >> 8);
  }
  for (const auto& [tag, value] : longs) {
    const std::uint8_t e[12] = {static_cast<std::uint8_t>(tag & 0xFF), static_cast<std::uint8_t>(tag >> 8), 4, 0, 1, 0, 0, 0,
                                static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
                                static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
    t.insert(t.end(), e, e + 12);
  }
  return t;
}

struct Rgb {
  int width = 0, height = 0;
  std::string pixels;  // interleaved RGB
};

// A photo's pixels resized to exactly `width` x `height`, read as binary PPM written by ImageMagick.
Rgb ReadPhoto(const std::filesystem::path& photo, int width, int height, const std::filesystem::path& scratch) {
  const auto ppm = scratch / (photo.stem().string() + "-" + std::to_string(width) + ".ppm");
  RunOk("convert " + Q(photo) + " -resize " + std::to_string(width) + "x" + std::to_string(height) + "! -depth 8 ppm:" +
        Q(ppm));
  std::ifstream in(ppm, std::ios::binary);
  std::string magic;
  int max = 0;
  Rgb rgb;
  in >> magic >> rgb.width >> rgb.height >> max;
  in.get();
  rgb.pixels.resize(static_cast<std::size_t>(rgb.width) * rgb.height * 3);
  in.read(rgb.pixels.data(), static_cast<std::streamsize>(rgb.pixels.size()));
  EXPECT_EQ(magic, "P6");
  EXPECT_EQ(max, 255);
  return rgb;
}

heif_image* ToHeifImage(const Rgb& rgb) {
  heif_image* image = nullptr;
  EXPECT_EQ(heif_image_create(rgb.width, rgb.height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image).code,
            heif_error_Ok);
  EXPECT_EQ(heif_image_add_plane(image, heif_channel_interleaved, rgb.width, rgb.height, 8).code, heif_error_Ok);
  int stride = 0;
  std::uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < rgb.height; ++y) {
    std::memcpy(plane + static_cast<std::ptrdiff_t>(y) * stride, rgb.pixels.data() + static_cast<std::size_t>(y) * rgb.width * 3,
                static_cast<std::size_t>(rgb.width) * 3);
  }
  return image;
}

// Writes a HEIC: `primary` as its picture, `preview` scaled by libheif to fit `box` pixels as its
// thumbnail. libheif (with x265) codes a thumbnail less than 64 pixels high as a grid of one 64-pixel tile
// cropped to size ('thmb' -> 'grid' -> 'dimg' -> 'hvc1', the grid's description in idat).
void WriteHeicWithPreview(const Rgb& primary, const Rgb& preview, int box, const std::filesystem::path& out) {
  heif_context* context = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  ASSERT_EQ(heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder).code, heif_error_Ok);
  heif_encoder_set_lossy_quality(encoder, 85);
  heif_image* primary_image = ToHeifImage(primary);
  heif_image* preview_image = ToHeifImage(preview);
  heif_image_handle* primary_handle = nullptr;
  heif_image_handle* preview_handle = nullptr;
  ASSERT_EQ(heif_context_encode_image(context, primary_image, encoder, nullptr, &primary_handle).code, heif_error_Ok);
  ASSERT_EQ(heif_context_encode_thumbnail(context, preview_image, primary_handle, encoder, nullptr,
                                          box, &preview_handle)
                .code,
            heif_error_Ok);
  ASSERT_EQ(heif_context_write_to_file(context, out.c_str()).code, heif_error_Ok);
  heif_image_handle_release(preview_handle);
  heif_image_handle_release(primary_handle);
  heif_image_release(preview_image);
  heif_image_release(primary_image);
  heif_encoder_release(encoder);
  heif_context_free(context);
}

// libheif's own decoding of the first thumbnail of `heic`'s primary picture, written as a PNG; its item id
// goes to `id`.
void WriteLibheifPreviewPng(const std::filesystem::path& heic, const std::filesystem::path& png, heif_item_id& id) {
  heif_context* context = heif_context_alloc();
  ASSERT_EQ(heif_context_read_from_file(context, heic.c_str(), nullptr).code, heif_error_Ok);
  heif_image_handle* primary = nullptr;
  ASSERT_EQ(heif_context_get_primary_image_handle(context, &primary).code, heif_error_Ok);
  ASSERT_EQ(heif_image_handle_get_list_of_thumbnail_IDs(primary, &id, 1), 1);
  heif_image_handle* thumbnail = nullptr;
  ASSERT_EQ(heif_image_handle_get_thumbnail(primary, id, &thumbnail).code, heif_error_Ok);
  heif_image* image = nullptr;
  ASSERT_EQ(heif_decode_image(thumbnail, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nullptr).code,
            heif_error_Ok);
  int stride = 0;
  const std::uint8_t* plane = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
  const int width = heif_image_get_width(image, heif_channel_interleaved);
  const int height = heif_image_get_height(image, heif_channel_interleaved);
  const auto ppm = png.string() + ".ppm";
  {
    std::ofstream out(ppm, std::ios::binary);
    out << "P6\n" << width << " " << height << "\n255\n";
    for (int y = 0; y < height; ++y) {
      out.write(reinterpret_cast<const char*>(plane + static_cast<std::ptrdiff_t>(y) * stride), std::streamsize{width} * 3);
    }
  }
  RunOk("convert " + Q(ppm) + " " + Q(png));
  heif_image_release(image);
  heif_image_handle_release(thumbnail);
  heif_image_handle_release(primary);
  heif_context_free(context);
}

class EmbeddedThumbnailTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto photos = testing::TestDataDir() / "photos/scratch";
    evidence_ = *dir_ / "phone";
    std::filesystem::create_directories(evidence_);
    // The known picture, and its 160-pixel reduction written as the EXIF thumbnail of another photo.
    RunOk("convert " + Q(photos / "kitchen.jpg") + " -resize 160x160 " + Q(*dir_ / "thumb.jpg"));
    RunOk("cp " + Q(photos / "all-sports-mural.jpg") + " " + Q(evidence_ / "IMG_0001.jpg") + " && chmod u+w " +
        Q(evidence_ / "IMG_0001.jpg"));
    RunOk("exiftool -q -overwrite_original '-ThumbnailImage<=" + (*dir_ / "thumb.jpg").string() + "' " +
        Q(evidence_ / "IMG_0001.jpg"));
    RunOk("exiftool -b -ThumbnailImage " + Q(evidence_ / "IMG_0001.jpg") + " > " + Q(*dir_ / "extracted.jpg"));
    // Hostile EXIF: the thumbnail offset past the segment; IFD1 pointing at IFD0 (a loop); an entry count
    // far larger than the segment holds.
    const std::vector<std::byte> plain = testing::ReadBytes(photos / "atom-playground.jpg");
    testing::WriteBytes(evidence_ / "past.jpg", WithExif(plain, Tiff(16, 2, {{0x0201, 0x7FFFFFF0}, {0x0202, 4000}})));
    testing::WriteBytes(evidence_ / "loop.jpg", WithExif(plain, Tiff(8, 0, {})));
    testing::WriteBytes(evidence_ / "count.jpg", WithExif(plain, Tiff(16, 0xFFFF, {{0x0201, 8}, {0x0202, 8}})));

    index_ = *dir_ / "index";
    const std::string pdq = RunOk(Bin() + " hash --pdq " + Q(photos / "kitchen.jpg")).substr(0, 64);
    testing::WriteText(*dir_ / "known.pdq", pdq + ",100,kitchen\n");
    RunOk(Bin() + " index import --index " + Q(index_) + " --set known --format pdq --category B " + Q(*dir_ / "known.pdq"));
  }
  static void TearDownTestSuite() { delete dir_; }

  static testing::TempDir* dir_;
  static std::filesystem::path evidence_, index_;
};
testing::TempDir* EmbeddedThumbnailTest::dir_ = nullptr;
std::filesystem::path EmbeddedThumbnailTest::evidence_;
std::filesystem::path EmbeddedThumbnailTest::index_;

TEST_F(EmbeddedThumbnailTest, AKnownPictureAsAnExifThumbnailIsAThumbnailHitOfItsParent) {
  const auto c = *dir_ / "case";
  const auto scan = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + Q(evidence_));
  EXPECT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  EXPECT_NE(scan.out.find("errors 0"), std::string::npos) << scan.out;
  const std::vector<json> records = testing::ExportedFileRecords(c);
  ASSERT_EQ(records.size(), 5u);  // four JPEGs and one thumbnail
  int thumbnails = 0;
  for (const json& r : records) {
    if (!r["thumbnail"].get<bool>()) {
      EXPECT_TRUE(r["hits"].empty()) << r.dump();
      EXPECT_TRUE(r["error"].is_null()) << r.dump();
      continue;
    }
    ++thumbnails;
    EXPECT_EQ(r["path"], "phone/IMG_0001.jpg/thumbnail:exif");
    EXPECT_EQ(r["original_path"], "IMG_0001.jpg");
    EXPECT_EQ(r["md5"], RunOk("md5sum " + Q(*dir_ / "extracted.jpg")).substr(0, 32));
    EXPECT_EQ(r["size"].get<std::uint64_t>(), std::filesystem::file_size(*dir_ / "extracted.jpg"));
    EXPECT_EQ(r["width"], 160);
    ASSERT_EQ(r["hits"].size(), 1u) << r.dump();
    EXPECT_EQ(r["hits"][0]["media_id"], "kitchen");
    EXPECT_EQ(r["hits"][0]["category"], "B");
    EXPECT_EQ(r["hits"][0]["kind"], "pdq");
  }
  EXPECT_EQ(thumbnails, 1);

  const auto kiosk = RunCommand(Bin() + " scan --kiosk --case " + Q(*dir_ / "case-kiosk") + " --index " + Q(index_) + " " +
                                Q(evidence_));
  EXPECT_EQ(kiosk.exit_code, 10);
  EXPECT_NE(kiosk.out.find("Files examined:    4  (pictures: 4)\nPreviews inside files examined: 1"), std::string::npos)
      << kiosk.out;

  const auto off = *dir_ / "case-off";
  EXPECT_EQ(RunCommand(Bin() + " scan --no-thumbnails --case " + Q(off) + " --index " + Q(index_) + " " + Q(evidence_)).exit_code, 0);
  EXPECT_EQ(testing::ExportedFileRecords(off).size(), 4u);
}

void Append(std::vector<std::uint8_t>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
std::vector<std::byte> AsBytes(const std::vector<std::uint8_t>& out) {
  std::vector<std::byte> bytes(out.size());
  std::memcpy(bytes.data(), out.data(), out.size());
  return bytes;
}
void Append(std::vector<std::uint8_t>& out, const std::vector<std::byte>& bytes) {
  for (std::byte b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}

// A Windows 7 (format version 21) thumbcache: a 24-byte file header, then per picture an entry: "CMMM",
// entry size, hash, identifier size, padding size, data size, unknown, data and header checksums, the
// UTF-16 identifier, then the data. Vista's (version 20) entries also name the file extension (four
// UTF-16 characters) after the hash.
std::vector<std::byte> Thumbcache(const std::vector<std::vector<std::byte>>& pictures, int version = 21) {
  std::vector<std::uint8_t> out = {'C', 'M', 'M', 'M'};
  Append(out, static_cast<std::uint64_t>(version), 4);
  Append(out, 1, 4);   // cache type: 96 pixels
  Append(out, 24, 4);  // first entry
  Append(out, 0, 4);   // first available entry (patched below)
  Append(out, pictures.size(), 4);
  std::uint64_t hash = 0x1234abcd5678ef01;
  for (const auto& p : pictures) {
    const std::string id = "1234abcd5678ef01";
    const std::size_t entry = (version == 20 ? 56 : 48) + id.size() * 2 + p.size();
    out.insert(out.end(), {'C', 'M', 'M', 'M'});
    Append(out, entry, 4);
    Append(out, hash++, 8);
    if (version == 20) {
      for (char c : std::string("bmp")) Append(out, static_cast<unsigned char>(c), 2);
      Append(out, 0, 2);
    }
    Append(out, id.size() * 2, 4);
    Append(out, 0, 4);  // padding
    Append(out, p.size(), 4);
    Append(out, 0, 4);
    Append(out, 0, 8);  // checksums: not checked by readers of evidence
    Append(out, 0, 8);
    for (char c : id) Append(out, static_cast<unsigned char>(c), 2);
    Append(out, p);
  }
  const std::size_t end = out.size();
  for (int i = 0; i < 4; ++i) out[16 + i] = static_cast<std::uint8_t>(end >> (8 * i));
  return AsBytes(out);
}

// An Android gallery cache: each preview after a small slot header, slots of 10,000 bytes.
std::vector<std::byte> Thumbdata(const std::vector<std::vector<std::byte>>& pictures) {
  std::vector<std::uint8_t> out;
  for (const auto& p : pictures) {
    const std::size_t slot = out.size();
    out.push_back(1);
    Append(out, 0x0123456789abcdefULL, 8);
    Append(out, p.size(), 4);
    Append(out, p);
    out.resize(slot + 10000, 0);
  }
  return AsBytes(out);
}

TEST_F(EmbeddedThumbnailTest, EveryPreviewInAThumbnailCacheIsAnItemAndTheKnownOnesHit) {
  const auto photos = testing::TestDataDir() / "photos/scratch";
  const auto dev = *dir_ / "pc";
  std::filesystem::create_directories(dev / "DCIM/.thumbnails");
  RunOk("convert " + Q(photos / "kitchen.jpg") + " -resize 96x96 " + Q(*dir_ / "k96.jpg"));
  RunOk("convert " + Q(photos / "kitchen.jpg") + " -resize 96x96 " + Q(*dir_ / "k96.png"));
  RunOk("convert " + Q(photos / "atom-playground.jpg") + " -resize 96x96 " + Q(*dir_ / "other96.jpg"));
  const std::vector<std::vector<std::byte>> previews = {testing::ReadBytes(*dir_ / "k96.jpg"),
                                                        testing::ReadBytes(*dir_ / "other96.jpg"),
                                                        testing::ReadBytes(*dir_ / "k96.png")};
  testing::WriteBytes(dev / "thumbcache_96.db", Thumbcache(previews));
  testing::WriteBytes(dev / "DCIM/.thumbnails/.thumbdata3--1967290299", Thumbdata({previews[0], previews[1]}));
  const auto c = *dir_ / "cache-case";
  const auto scan = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + Q(dev));
  EXPECT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  EXPECT_NE(scan.out.find("errors 0"), std::string::npos) << scan.out;
  std::vector<json> from_cache, from_thumbdata;
  for (const json& r : testing::ExportedFileRecords(c)) {
    const std::string path = r["path"];
    if (path.find("/thumbcache_96.db/thumbcache:") != std::string::npos) from_cache.push_back(r);
    if (path.find("/.thumbdata3--1967290299/thumbdata:") != std::string::npos) from_thumbdata.push_back(r);
  }
  const std::string md5[] = {RunOk("md5sum " + Q(*dir_ / "k96.jpg")).substr(0, 32),
                             RunOk("md5sum " + Q(*dir_ / "other96.jpg")).substr(0, 32),
                             RunOk("md5sum " + Q(*dir_ / "k96.png")).substr(0, 32)};
  ASSERT_EQ(from_cache.size(), 3u);
  ASSERT_EQ(from_thumbdata.size(), 2u);
  for (std::size_t i = 0; i < 3; ++i) {
    const json& r = from_cache[i];
    EXPECT_TRUE(r["thumbnail"].get<bool>());
    EXPECT_EQ(r["md5"], md5[i]) << r.dump();
    EXPECT_EQ(r["hits"].size(), i == 1 ? 0u : 1u) << r.dump();
    if (i < 2) {
      EXPECT_EQ(from_thumbdata[i]["md5"], md5[i]) << from_thumbdata[i].dump();
      EXPECT_EQ(from_thumbdata[i]["hits"].size(), i == 1 ? 0u : 1u);
    }
  }
  EXPECT_EQ(from_cache[2]["format"], "png");
}

// 54 bytes of BMP headers (file header, 40-byte info header) with the given fields, then zeros up to
// `length` bytes: a "BM" that is no bitmap when a field disagrees.
std::vector<std::byte> BitmapLike(std::uint32_t file_size, int planes, int width, int height, int bits,
                                  std::size_t length) {
  std::vector<std::uint8_t> out = {'B', 'M'};
  Append(out, file_size, 4);
  Append(out, 0, 4);   // reserved
  Append(out, 54, 4);  // pixels at
  Append(out, 40, 4);  // info header size
  Append(out, static_cast<std::uint32_t>(width), 4);
  Append(out, static_cast<std::uint32_t>(height), 4);
  Append(out, static_cast<std::uint64_t>(planes), 2);
  Append(out, static_cast<std::uint64_t>(bits), 2);
  out.resize(std::max<std::size_t>(length, out.size()), 0);
  return AsBytes(out);
}

TEST_F(EmbeddedThumbnailTest, BitmapPreviewsOfAVistaThumbnailCacheAreItemsAndTheKnownOnesHit) {
  const auto photos = testing::TestDataDir() / "photos/scratch";
  const auto dev = *dir_ / "vista";
  std::filesystem::create_directories(dev);
  // Vista's bitmaps: 24-bit with the classic info header, 32-bit with bit fields and a version-5 header,
  // beside a JPEG; and "BM"s that are no bitmap.
  RunOk("convert " + Q(photos / "kitchen.jpg") + " -resize 96x96 BMP3:" + Q(*dir_ / "k96.bmp"));
  RunOk("convert " + Q(photos / "atom-playground.jpg") + " -resize 96x96 -alpha on -define bmp:format=bmp4 BMP:" +
        Q(*dir_ / "other96.bmp"));
  RunOk("convert " + Q(photos / "kitchen.jpg") + " -resize 96x96 " + Q(*dir_ / "k96.jpg"));
  // Each decoy has one field that disagrees: reserved bytes, planes, rows past the declared size, a
  // declared size past the end of the cache.
  std::vector<std::byte> reserved = BitmapLike(200, 1, 4, 4, 24, 200);
  reserved[6] = std::byte{0x20};
  const std::vector<std::vector<std::byte>> previews = {testing::ReadBytes(*dir_ / "k96.bmp"),
                                                        reserved,
                                                        BitmapLike(200, 2, 4, 4, 24, 200),
                                                        BitmapLike(80, 1, 4, 4, 24, 200),
                                                        testing::ReadBytes(*dir_ / "other96.bmp"),
                                                        testing::ReadBytes(*dir_ / "k96.jpg"),
                                                        BitmapLike(1u << 24, 1, 4, 4, 24, 200)};
  testing::WriteBytes(dev / "thumbcache_96.db", Thumbcache(previews, 20));
  const auto c = *dir_ / "vista-case";
  const auto scan = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + Q(dev));
  EXPECT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  EXPECT_NE(scan.out.find("errors 0"), std::string::npos) << scan.out;
  std::vector<json> from_cache;
  for (const json& r : testing::ExportedFileRecords(c)) {
    if (std::string(r["path"]).find("/thumbcache_96.db/thumbcache:") != std::string::npos) from_cache.push_back(r);
  }
  const std::string md5[] = {RunOk("md5sum " + Q(*dir_ / "k96.bmp")).substr(0, 32),
                             RunOk("md5sum " + Q(*dir_ / "other96.bmp")).substr(0, 32),
                             RunOk("md5sum " + Q(*dir_ / "k96.jpg")).substr(0, 32)};
  const std::string format[] = {"bmp", "bmp", "jpeg"};
  const std::string extension[] = {".bmp", ".bmp", ".jpg"};
  ASSERT_EQ(from_cache.size(), 3u) << "two bitmaps and a JPEG; no decoy is a picture";
  for (std::size_t i = 0; i < 3; ++i) {
    const json& r = from_cache[i];
    EXPECT_TRUE(r["thumbnail"].get<bool>());
    EXPECT_EQ(r["md5"], md5[i]) << r.dump();
    EXPECT_EQ(r["format"], format[i]) << r.dump();
    EXPECT_TRUE(std::string(r["path"]).ends_with(extension[i])) << r.dump();
    EXPECT_EQ(r["hits"].size(), i == 1 ? 0u : 1u) << r.dump();
  }
}

// HEIF previews. The fixtures are written with libheif's encoder: HEICs whose primary picture is one
// photo and whose thumbnail is the known one, so only the preview can hit — one 240x180 thumbnail coded
// as a single image, one 80x60 coded as a grid (libheif's layout under 64 pixels). Independent truth: libheif itself
// decodes each file's thumbnail (its own parser, from the original file), the pixels go to a PNG, and
// `hashtriage hash --pdq` of that PNG must equal the preview item's PDQ bit for bit; heif-info's
// thumbnail size must be the item's. A copy cut short inside the preview's data gives one error on its
// parent besides the picture's own, and no preview.
TEST_F(EmbeddedThumbnailTest, AKnownPictureAsAHeicThumbnailIsAThumbnailHitOfItsParent) {
  const auto photos = testing::TestDataDir() / "photos/scratch";
  const auto iphone = *dir_ / "iphone";
  std::filesystem::create_directories(iphone);
  const Rgb primary = ReadPhoto(photos / "all-sports-mural.jpg", 640, 426, dir_->path());
  WriteHeicWithPreview(primary, ReadPhoto(photos / "kitchen.jpg", 480, 360, dir_->path()), 240, iphone / "IMG_0001.HEIC");
  WriteHeicWithPreview(primary, ReadPhoto(photos / "kitchen.jpg", 480, 360, dir_->path()), 80, iphone / "IMG_0003.HEIC");
  auto text = [](const std::filesystem::path& file) {
    const auto bytes = testing::ReadBytes(file);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  ASSERT_EQ(text(iphone / "IMG_0001.HEIC").find("grid"), std::string::npos) << "a thumbnail coded as one image";
  ASSERT_NE(text(iphone / "IMG_0003.HEIC").find("grid"), std::string::npos) << "a grid thumbnail (80x60)";
  const std::vector<std::byte> whole = testing::ReadBytes(iphone / "IMG_0001.HEIC");
  // libheif writes the items' data in order (the primary, then the thumbnail): cutting the last bytes
  // cuts the preview (the error asserted below says so).
  testing::WriteBytes(iphone / "IMG_0002.HEIC", std::vector<std::byte>(whole.begin(), whole.end() - 64));

  // What libheif and heif-info say of each whole file's thumbnail: its item path, PDQ and size.
  struct Expected {
    std::string path, pdq, size;
  };
  std::map<std::string, Expected> expected;
  for (const char* name : {"IMG_0001.HEIC", "IMG_0003.HEIC"}) {
    heif_item_id id = 0;
    const auto png = *dir_ / (std::string(name) + "-libheif-preview.png");
    WriteLibheifPreviewPng(iphone / name, png, id);
    std::istringstream info(RunOk("heif-info " + Q(iphone / name)));
    std::string line, size;
    while (std::getline(info, line)) {
      if (const auto at = line.find("thumbnail: "); at != std::string::npos) size = line.substr(at + 11);
    }
    ASSERT_FALSE(size.empty()) << name;
    expected["iphone/" + std::string(name) + "/thumbnail:heif:" + std::to_string(id)] =
        Expected{name, RunOk(Bin() + " hash --pdq " + Q(png)).substr(0, 64), size};
  }
  EXPECT_EQ(expected.at("iphone/IMG_0003.HEIC/thumbnail:heif:3").size, "80x60");

  const auto c = *dir_ / "case-heic";
  const auto scan = RunCommand(Bin() + " scan --case " + Q(c) + " --index " + Q(index_) + " " + Q(iphone));
  EXPECT_EQ(scan.exit_code, 10) << scan.out << scan.err;
  std::map<std::string, int> previews, errors;
  std::string cut_errors;
  for (const json& r : testing::ExportedFileRecords(c)) {
    const std::string path = r["path"];
    if (!r["error"].is_null()) {
      ++errors[path];
      if (path == "iphone/IMG_0002.HEIC") cut_errors += r["error"].get<std::string>() + "\n";
      continue;
    }
    if (!r["thumbnail"].get<bool>()) {
      EXPECT_TRUE(r["hits"].empty()) << "the primary picture is not the known one: " << r.dump();
      continue;
    }
    ASSERT_TRUE(expected.contains(path)) << "an unexpected preview: " << r.dump();
    ++previews[path];
    const Expected& e = expected.at(path);
    EXPECT_EQ(r["original_path"], e.path);
    EXPECT_EQ(r["pdq"], e.pdq) << path << ": the preview decodes to exactly what libheif decodes";
    EXPECT_EQ(std::to_string(r["width"].get<int>()) + "x" + std::to_string(r["height"].get<int>()), e.size) << path;
    // The 80x60 grid preview is too small to match: a plain resize to 80x60 is already 28 bits from the
    // photo's PDQ and its HEVC coding 40. It is there for the grid layout; the 240x180 one hits.
    if (path.starts_with("iphone/IMG_0003.HEIC/")) continue;
    ASSERT_EQ(r["hits"].size(), 1u) << r.dump();
    EXPECT_EQ(r["hits"][0]["media_id"], "kitchen");
    EXPECT_EQ(r["hits"][0]["category"], "B");
  }
  EXPECT_EQ(previews.size(), 2u);
  for (const auto& [path, n] : previews) EXPECT_EQ(n, 1) << path;
  // The cut copy: libheif refuses the whole container (its primary is an error too), and the preview is
  // reported once, not taken.
  EXPECT_EQ(errors.size(), 1u) << "errors only for the cut copy";
  EXPECT_EQ(errors["iphone/IMG_0002.HEIC"], 2) << cut_errors;
  EXPECT_NE(cut_errors.find("HEIF preview item 2: its data runs past the end of the file; preview not extracted"),
            std::string::npos)
      << cut_errors;

  const auto off = *dir_ / "case-heic-off";
  EXPECT_EQ(RunCommand(Bin() + " scan --no-thumbnails --case " + Q(off) + " --index " + Q(index_) + " " + Q(iphone)).exit_code,
            1)
      << "without previews nothing is found, and the cut file's primary picture is an error";
}

}  // namespace
}  // namespace hashtriage
