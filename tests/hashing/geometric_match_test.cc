// Geometric verification (library mode's geometric stage) against transforms whose parameters are known:
// ImageMagick, an independent tool, scales, rotates, moves and crops benign shared photos by parameters
// drawn at random (the seed is printed; HASHTRIAGE_TEST_SEED repeats a run), and the transform the
// matcher estimates must be that one; distinct photos must never verify against each other.
#include "hashing/geometric_match.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hashing/image_decode.h"
#include "hashing/local_features.h"
#include "tests/test_support.h"

namespace hashtriage::hashing {
namespace {

using testing::Q;
using testing::RunOk;

struct DescribedPhoto {
  LumaImage luma;
  LocalFeatures features;
};

// The luma of `file` at full resolution (an empty image, and a test failure, when it cannot be decoded).
LumaImage DecodeFull(const std::filesystem::path& file) {
  DecodeOptions full;
  full.min_short_side = 0;
  auto decoded = DecodeImage(testing::ReadBytes(file), full);
  EXPECT_TRUE(decoded.ok()) << file << ": " << decoded.status().ToString();
  return decoded.ok() ? decoded->luma : LumaImage{};
}

DescribedPhoto LoadDescribed(const std::filesystem::path& file) {
  DescribedPhoto p;
  p.luma = DecodeFull(file);
  if (p.luma.width == 0) return p;
  auto features = ComputeLocalFeatures(p.luma, LibraryViewOptions()[0]);
  EXPECT_TRUE(features.ok()) << features.status().ToString();
  if (features.ok()) p.features = *features;
  return p;
}

// Photos with no near-duplicate among them (testdata/README.md lists the groups).
std::vector<std::filesystem::path> DistinctPhotos() {
  std::vector<std::filesystem::path> out;
  for (const char* name : {"all-sports-mural", "atom-playground", "beach-malibu", "berkeley-mural", "boardwalk",
                           "castle", "chalkboard", "clothing-store", "graffiti", "hall", "houses", "kitchen",
                           "mansion", "mural-faro", "parking-ramp", "pool", "route66", "silos", "village",
                           "wooden-house"}) {
    out.push_back(testing::TestDataDir() / "photos/scratch" / (std::string(name) + ".jpg"));
  }
  return out;
}

unsigned Seed() {
  const char* env = std::getenv("HASHTRIAGE_TEST_SEED");
  const unsigned seed = env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  std::printf("GeometricMatchTest seed %u (HASHTRIAGE_TEST_SEED repeats it)\n", seed);
  return seed;
}

TEST(GeometricMatchTest, EstimatesTheScaleRotationAndPlaceImageMagickApplied) {
  std::mt19937 rng(Seed());
  testing::TempDir dir;
  const auto photos = DistinctPhotos();
  std::uniform_real_distribution<double> u(0, 1);
  for (int round = 0; round < 12; ++round) {
    const auto& photo = photos[rng() % photos.size()];
    const DescribedPhoto known = LoadDescribed(photo);
    ASSERT_GT(known.features.features.size(), 100u) << photo;
    // The photo scaled by s and turned clockwise by theta about its centre c, which lands at n; then
    // up to 20% of each side cut off.
    const int w = known.luma.width, h = known.luma.height;
    const double s = 0.6 + 0.6 * u(rng);
    const double theta = (u(rng) < 0.5 ? -1 : 1) * (1 + 19 * u(rng));
    const double cx = w / 2.0, cy = h / 2.0;
    const double nx = w * (0.4 + 0.2 * u(rng)), ny = h * (0.4 + 0.2 * u(rng));
    const int left = static_cast<int>(w * 0.2 * u(rng)), top = static_cast<int>(h * 0.2 * u(rng));
    const int cw = w - left - static_cast<int>(w * 0.2 * u(rng)), ch = h - top - static_cast<int>(h * 0.2 * u(rng));
    const auto out = dir.path() / ("t" + std::to_string(round) + ".jpg");
    char srt[160];
    std::snprintf(srt, sizeof srt, "%.3f,%.3f %.4f %.3f %.3f,%.3f", cx, cy, s, theta, nx, ny);
    RunOk("convert " + Q(photo) + " -virtual-pixel black -distort SRT '" + srt + "' -crop " + std::to_string(cw) +
          "x" + std::to_string(ch) + "+" + std::to_string(left) + "+" + std::to_string(top) +
          " +repage -quality 90 " + Q(out));
    const DescribedPhoto scanned = LoadDescribed(out);
    const GeometricMatch m = MatchGeometry(scanned.features, known.features);
    SCOPED_TRACE(photo.stem().string() + " s " + std::to_string(s) + " theta " + std::to_string(theta) + " crop " +
                 std::to_string(left) + "," + std::to_string(top) + " " + std::to_string(cw) + "x" + std::to_string(ch) +
                 ": inliers " + std::to_string(m.inliers) + " of " + std::to_string(m.matches));
    EXPECT_TRUE(IsGeometricHit(m));
    // Working-image factors (the features are computed on a reduced copy of each picture).
    const double fk = static_cast<double>(known.features.width) / w;
    const double fs = static_cast<double>(scanned.features.width) / scanned.luma.width;
    EXPECT_NEAR(m.scale, s * fs / fk, 0.03 * s * fs / fk);
    EXPECT_NEAR(m.rotation_degrees, theta, 1.5);
    // The known centre must land where ImageMagick put it, within 1% of the scanned picture's diagonal.
    const double rad = m.rotation_degrees * 3.14159265358979 / 180;
    const double px = cx * fk, py = cy * fk;
    const double mx = m.scale * (std::cos(rad) * px - std::sin(rad) * py) + m.tx;
    const double my = m.scale * (std::sin(rad) * px + std::cos(rad) * py) + m.ty;
    EXPECT_LT(std::hypot(mx - (nx - left) * fs, my - (ny - top) * fs),
              0.01 * std::hypot(scanned.features.width, scanned.features.height));
    // What is visible of the known picture lies inside the scanned one.
    EXPECT_GT(m.visible, 0.2);
    EXPECT_LE(m.visible, 1.0 + 1e-9);
    EXPECT_GE(m.region[0], 0.0);
    EXPECT_LE(m.region[2], 1.0);
  }
}

TEST(GeometricMatchTest, DistinctPhotosNeverVerifyAgainstEachOther) {
  const auto photos = DistinctPhotos();
  std::vector<DescribedPhoto> pictures;
  for (const auto& p : photos) pictures.push_back(LoadDescribed(p));
  int pairs = 0, max_inliers = 0;
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    for (std::size_t j = 0; j < pictures.size(); ++j) {
      if (i == j) continue;
      const GeometricMatch m = MatchGeometry(pictures[i].features, pictures[j].features);
      ++pairs;
      max_inliers = std::max(max_inliers, m.inliers);
      EXPECT_FALSE(IsGeometricHit(m)) << photos[i].stem() << " vs " << photos[j].stem() << ": " << m.inliers
                                      << " inliers, scale " << m.scale;
    }
  }
  EXPECT_EQ(pairs, 380);
  std::printf("most inliers between distinct photos: %d\n", max_inliers);
  // A photo verifies against itself with every feature.
  const GeometricMatch self = MatchGeometry(pictures[0].features, pictures[0].features);
  EXPECT_EQ(self.inliers, static_cast<int>(pictures[0].features.features.size()));
  EXPECT_NEAR(self.scale, 1.0, 1e-9);
  EXPECT_NEAR(self.rotation_degrees, 0.0, 1e-9);
}

// Flat pictures (smooth fruit on a plain ground, a dim room) hold few corners at FAST's default threshold,
// mostly in noise that re-encoding changes; the feature plugin then describes weaker corners too. Each is
// described as the product describes it (the library's views, the query's options), turned by ImageMagick
// about its centre at a random angle (3-20 degrees either way) on a canvas of its own size (black where
// the turned picture leaves it), cut to the middle 80% of each side and re-encoded at q60-80; each must
// verify, at the angle applied. With the default threshold alone the 640 px library view held 90, 206 and
// 240 features of its 500, and 32 of 96 queries (8 seeds) did not verify; with the plugin as it is, 500
// each, and none of 600 queries (50 seeds) failed. (The sunset-sky photo of the tuning half, gnome-faces/
// mountain.jpg, verified in 14 of 18 harness queries, not every time: it is not asked to here.)
TEST(GeometricMatchTest, FlatPicturesTurnedAndReencodedStillVerify) {
  std::mt19937 rng(Seed());
  testing::TempDir dir;
  std::uniform_real_distribution<double> u(0, 1);
  int round = 0;
  for (const char* name : {"opencv/apple.jpg", "opencv/orange.jpg", "opencv/ela_original.jpg"}) {
    const auto photo = testing::TestDataDir() / "photos" / name;
    const LumaImage known = DecodeFull(photo);
    ASSERT_GT(known.width, 0) << photo;
    const auto views = ComputeLibraryViews(known);
    ASSERT_TRUE(views.ok()) << views.status().ToString();
    ASSERT_FALSE(views->empty());
    EXPECT_GE((*views)[0].features.size(), 300u) << name << ": the weaker corners were not described";
    for (int i = 0; i < 4; ++i, ++round) {
      const double theta = (u(rng) < 0.5 ? -1 : 1) * (3 + 17 * u(rng));
      const int quality = 60 + static_cast<int>(20 * u(rng));
      const auto out = dir.path() / ("flat" + std::to_string(round) + ".jpg");
      char angle[32];
      std::snprintf(angle, sizeof angle, "%.2f", theta);
      RunOk("convert " + Q(photo) + " -virtual-pixel black -distort SRT " + angle +
            " -gravity center -crop 80%x80%+0+0 +repage -quality " + std::to_string(quality) + " " + Q(out));
      const auto features = ComputeLocalFeatures(DecodeFull(out), QueryFeatureOptions());
      ASSERT_TRUE(features.ok()) << features.status().ToString();
      const GeometricMatch m = MatchGeometryViews(*features, *views, GeometricOptions{});
      EXPECT_TRUE(IsGeometricHit(m)) << name << " turned " << angle << " degrees, q" << quality << ": inliers "
                                     << m.inliers << " of " << m.matches;
      if (IsGeometricHit(m)) {
        EXPECT_NEAR(m.rotation_degrees, theta, 2.0) << name << " turned " << angle;
      }
    }
  }
}

TEST(GeometricMatchTest, TheRuleNeedsEightInliersAPlausibleScaleAndAtMost45Degrees) {
  GeometricMatch m;
  m.inliers = 50;
  m.scale = 1;
  EXPECT_TRUE(IsGeometricHit(m));
  m.rotation_degrees = -45;
  EXPECT_TRUE(IsGeometricHit(m));
  m.rotation_degrees = 46;  // further is the dihedral hashes' (an upside-down V verified onto an A)
  EXPECT_FALSE(IsGeometricHit(m));
  m.rotation_degrees = 179;
  EXPECT_FALSE(IsGeometricHit(m));
  m.rotation_degrees = 0;
  m.inliers = 7;
  EXPECT_FALSE(IsGeometricHit(m));
  m.inliers = 8;
  m.scale = 0.1;
  EXPECT_FALSE(IsGeometricHit(m));
}

}  // namespace
}  // namespace hashtriage::hashing
