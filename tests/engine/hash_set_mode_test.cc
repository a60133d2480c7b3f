// Hash-set mode end to end through the real executable (issue 7): the index holds only PDQ hashes of
// known pictures (as from another tool); copies edited independently by ImageMagick are looked up
// by file. Icons on black (a photo's centre in a black disc, as avatars are) shrunk and centred on
// a black square have no visible frame, and are found by a frame hypothesis ("pdq-frame"); a plain
// white border is trimmed ("pdq-trimmed"); an unrelated icon letterboxed the same way is not known.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

namespace hashtriage {
namespace {

using testing::RunCommand;
using testing::Bin;
using testing::Q;

// The lookup's matches as (match_kind, distance, media_id); the exit code in `exit_code`.
struct SetLookup {
  int exit_code = -1;
  std::vector<std::tuple<std::string, int, std::string>> matches;
};

SetLookup LookupInSets(const std::filesystem::path& index, const std::filesystem::path& file) {
  const auto run = RunCommand(Bin() + " index lookup --index " + Q(index) + " --file " + Q(file));
  SetLookup out;
  out.exit_code = run.exit_code;
  const auto j = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << run.out << run.err;
  if (j.is_discarded()) return out;
  for (const auto& m : j["results"][0]["matches"]) {
    out.matches.emplace_back(m["match_kind"], m["distance"], m["media_id"]);
  }
  return out;
}

TEST(HashSetModeTest, LetterboxedIconsWithoutAVisibleFrameAndBorderedPhotosAreFound) {
  testing::TempDir dir;
  const auto photos = testing::TestDataDir() / "photos";
  std::string list;
  for (const std::string photo : {"skimage/astronaut.png", "opencv/fruits.jpg", "skimage/coffee.png", "opencv/baboon.jpg",
                                  "scratch/castle.jpg"}) {
    const std::string stem = std::filesystem::path(photo).stem().string();
    const auto icon = dir / (stem + "-icon.png");
    // Centre square at 96 px, black outside a disc; then shrunk to 67 px and centred on black 96 px.
    ASSERT_EQ(RunCommand("convert " + Q(photos / photo) + " -resize '96x96^' -gravity center -extent 96x96 "
                         "\\( -size 96x96 xc:black -fill white -draw 'circle 48,48 48,10' \\) -compose Multiply "
                         "-composite " + Q(icon)).exit_code, 0);
    ASSERT_EQ(RunCommand("convert " + Q(icon) + " -resize 67x67 -background black -gravity center -extent 96x96 "
                         "-quality 92 " + Q(dir / (stem + "-letterboxed.jpg"))).exit_code, 0);
    if (stem == "castle") continue;  // not known
    const auto pdq = RunCommand(Bin() + " hash --pdq " + Q(icon));
    ASSERT_EQ(pdq.exit_code, 0) << pdq.err;
    list += pdq.out.substr(0, 64) + ",100," + stem + "\n";
  }
  // A photo known by its PDQ, shared with a 10% white border.
  const auto hall = photos / "scratch/hall.jpg";
  list += RunCommand(Bin() + " hash --pdq " + Q(hall)).out.substr(0, 64) + ",100,hall\n";
  ASSERT_EQ(RunCommand("convert " + Q(hall) + " -bordercolor white -border 10% -quality 90 " + Q(dir / "hall-border.jpg")).exit_code, 0);
  testing::WriteText(dir / "known.pdq", list);
  const auto index = dir / "index";
  ASSERT_EQ(RunCommand(Bin() + " index import --index " + Q(index) + " --set hs --format pdq --category A " +
                       Q(dir / "known.pdq")).exit_code, 0);

  for (const std::string stem : {"astronaut", "fruits", "coffee", "baboon"}) {
    SCOPED_TRACE(stem);
    const SetLookup l = LookupInSets(index, dir / (stem + "-letterboxed.jpg"));
    EXPECT_EQ(l.exit_code, 10);
    ASSERT_FALSE(l.matches.empty());
    bool frame = false;
    for (const auto& [kind, distance, media] : l.matches) {
      EXPECT_EQ(media, stem);
      EXPECT_LE(distance, 31);
      frame |= kind == "pdq-frame";
    }
    EXPECT_TRUE(frame) << "expected a pdq-frame match";
  }
  const SetLookup border = LookupInSets(index, dir / "hall-border.jpg");
  EXPECT_EQ(border.exit_code, 10);
  ASSERT_FALSE(border.matches.empty());
  EXPECT_EQ(std::get<0>(border.matches.front()), "pdq-trimmed");
  EXPECT_EQ(std::get<2>(border.matches.front()), "hall");
  const SetLookup unrelated = LookupInSets(index, dir / "castle-letterboxed.jpg");
  EXPECT_EQ(unrelated.exit_code, 0);
  EXPECT_TRUE(unrelated.matches.empty());
}

}  // namespace
}  // namespace hashtriage
