// FeatureLibrary (the geometric stage's candidate retrieval) against an oracle written independently
// here: every library descriptor that shares a 16-bit chunk with the scanned one, compared by brute force.
// And the stored form of a library picture: round trip and refusal of damaged records.
#include "index/feature_library.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <random>
#include <tuple>
#include <vector>

namespace hashtriage::index {
namespace {

using Descriptor = std::array<std::uint64_t, 4>;

hashing::LocalFeature RandomFeature(std::mt19937_64& rng) {
  hashing::LocalFeature f;
  std::uniform_real_distribution<float> pos(0.0f, 640.0f);
  f.x = pos(rng);
  f.y = pos(rng);
  f.size = 31.0f;
  f.angle = pos(rng) * 360.0f / 640.0f;
  for (auto& w : f.descriptor) w = rng();
  return f;
}

hashing::LocalFeature Noisy(const hashing::LocalFeature& f, int flips, std::mt19937_64& rng) {
  hashing::LocalFeature out = f;
  std::vector<int> bits(256);
  for (int i = 0; i < 256; ++i) bits[static_cast<std::size_t>(i)] = i;
  std::shuffle(bits.begin(), bits.end(), rng);
  for (int i = 0; i < flips; ++i) {
    const int b = bits[static_cast<std::size_t>(i)];
    out.descriptor[static_cast<std::size_t>(b / 64)] ^= std::uint64_t{1} << (b % 64);
  }
  return out;
}

bool ShareAChunk(const Descriptor& a, const Descriptor& b) {
  for (int c = 0; c < 16; ++c) {
    const int shift = 16 * (c % 4);
    if (((a[static_cast<std::size_t>(c / 4)] >> shift) & 0xffff) == ((b[static_cast<std::size_t>(c / 4)] >> shift) & 0xffff)) {
      return true;
    }
  }
  return false;
}

struct Planted {
  std::vector<LibraryPicture> pictures;
  hashing::LocalFeatures scanned;
};

// Pictures of two or three views of random features, some shared by two pictures at 2 to 42 bits; the
// scan holds noisy copies of some of them (0 to 70 bits flipped: inside and outside the match distance)
// and random features.
Planted MakeLibrary(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Planted p;
  for (int picture = 0; picture < 40; ++picture) {
    LibraryPicture lp;
    lp.set = "known+features";
    lp.info.media_id = "picture" + std::to_string(picture);
    const int views = 2 + picture % 2;
    for (int v = 0; v < views; ++v) {
      hashing::LocalFeatures view;
      view.width = 640 >> v;
      view.height = 480 >> v;
      for (int i = 0; i < 200; ++i) view.features.push_back(RandomFeature(rng));
      lp.views.push_back(std::move(view));
    }
    p.pictures.push_back(std::move(lp));
  }
  std::uniform_int_distribution<int> flips(0, 70);
  // Descriptors common to two pictures at varying distances, so that the ratio test decides votes.
  for (int picture = 0; picture + 1 < 40; picture += 3) {
    auto& from = p.pictures[static_cast<std::size_t>(picture)].views[0].features;
    auto& to = p.pictures[static_cast<std::size_t>(picture + 1)].views[0].features;
    for (int i = 0; i < 6; ++i) to[static_cast<std::size_t>(i * 5)] = Noisy(from[static_cast<std::size_t>(i * 7)], 2 + 8 * i, rng);
  }
  for (int picture = 0; picture < 40; picture += 3) {
    for (std::size_t v = 0; v < p.pictures[static_cast<std::size_t>(picture)].views.size(); ++v) {
      const auto& features = p.pictures[static_cast<std::size_t>(picture)].views[v].features;
      for (int i = 0; i < 6 + picture % 5; ++i) {
        p.scanned.features.push_back(Noisy(features[static_cast<std::size_t>(i * 7)], flips(rng), rng));
      }
    }
  }
  for (int i = 0; i < 300; ++i) p.scanned.features.push_back(RandomFeature(rng));
  return p;
}

std::vector<FeatureCandidate> Oracle(const std::vector<LibraryPicture>& pictures, const hashing::LocalFeatures& scanned,
                                     const CandidateOptions& options) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> votes;
  for (const hashing::LocalFeature& q : scanned.features) {
    int best = 257;
    std::uint32_t best_picture = 0, best_view = 0;
    std::vector<std::tuple<int, std::uint32_t>> seen;  // distance, picture
    for (std::uint32_t p = 0; p < pictures.size(); ++p) {
      for (std::uint32_t v = 0; v < pictures[p].views.size(); ++v) {
        for (const hashing::LocalFeature& f : pictures[p].views[v].features) {
          if (!ShareAChunk(q.descriptor, f.descriptor)) continue;
          int d = 0;
          for (int w = 0; w < 4; ++w) d += std::popcount(q.descriptor[static_cast<std::size_t>(w)] ^ f.descriptor[static_cast<std::size_t>(w)]);
          seen.emplace_back(d, p);
          if (d < best) std::tie(best, best_picture, best_view) = std::tuple{d, p, v};
        }
      }
    }
    int other = 257;
    for (const auto& [d, p] : seen) {
      if (p != best_picture) other = std::min(other, d);
    }
    if (best <= options.max_distance && best < options.ratio * other) ++votes[{best_picture, best_view}];
  }
  std::vector<FeatureCandidate> out;
  for (const auto& [key, n] : votes) {
    if (n >= options.min_votes) out.push_back({key.first, key.second, n});
  }
  std::stable_sort(out.begin(), out.end(), [](const FeatureCandidate& a, const FeatureCandidate& b) { return a.votes > b.votes; });
  if (out.size() > static_cast<std::size_t>(options.max_candidates)) out.resize(static_cast<std::size_t>(options.max_candidates));
  return out;
}

TEST(FeatureLibraryTest, CandidatesEqualABruteForceVoteOverDescriptorsSharingAChunk) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Planted planted = MakeLibrary(seed);
    const std::vector<LibraryPicture> copy = planted.pictures;
    const FeatureLibrary library(std::move(planted.pictures));
    for (const CandidateOptions& options :
         {CandidateOptions{}, CandidateOptions{64, 0.8, 1, 1000}, CandidateOptions{40, 0.7, 2, 1000}}) {
      const std::vector<FeatureCandidate> got = library.Candidates(planted.scanned, options);
      const std::vector<FeatureCandidate> want = Oracle(copy, planted.scanned, options);
      ASSERT_EQ(got.size(), want.size()) << "seed " << seed << ", min votes " << options.min_votes;
      ASSERT_FALSE(want.empty());
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].picture, want[i].picture) << i;
        EXPECT_EQ(got[i].view, want[i].view) << i;
        EXPECT_EQ(got[i].votes, want[i].votes) << i;
      }
    }
  }
}

TEST(FeatureLibraryTest, APictureRoundTripsAndADamagedRecordIsRefused) {
  std::mt19937_64 rng(7);
  EntryInfo info;
  info.media_id = "library/photo.jpg";
  info.category = Category::kA;
  std::vector<hashing::LocalFeatures> views(2);
  views[0] = {640, 427, {}};
  views[1] = {320, 214, {}};
  for (auto& v : views) {
    for (int i = 0; i < 25; ++i) v.features.push_back(RandomFeature(rng));
  }
  const std::string blob = EncodeLibraryPicture(info, views);
  auto decoded = DecodeLibraryPicture(blob);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->info, info);
  ASSERT_EQ(decoded->views.size(), 2u);
  for (std::size_t v = 0; v < 2; ++v) {
    EXPECT_EQ(decoded->views[v].width, views[v].width);
    EXPECT_EQ(decoded->views[v].height, views[v].height);
    ASSERT_EQ(decoded->views[v].features.size(), views[v].features.size());
    for (std::size_t i = 0; i < views[v].features.size(); ++i) {
      const auto& a = decoded->views[v].features[i];
      const auto& b = views[v].features[i];
      EXPECT_EQ(std::tie(a.x, a.y, a.size, a.angle, a.descriptor), std::tie(b.x, b.y, b.size, b.angle, b.descriptor));
    }
  }
  EXPECT_FALSE(DecodeLibraryPicture(blob.substr(0, blob.size() - 1)).ok());
  EXPECT_FALSE(DecodeLibraryPicture(blob + "x").ok());
  EXPECT_FALSE(DecodeLibraryPicture("").ok());
  EXPECT_FALSE(DecodeLibraryPicture(std::string(1, '\x7f') + blob.substr(1)).ok());
}

}  // namespace
}  // namespace hashtriage::index
