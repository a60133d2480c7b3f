// Subject attributes: the schema is exactly risk-model.md's attribute names (read from the document
// at test time), unknown names are rejected with the valid list, protected characteristics are
// refused, history is kept and the profile carries the latest value with its provenance.
#include <gtest/gtest.h>

#include <set>

#include "engine/subjects/subject_profiles.h"
#include "engine/subjects/attributes.h"
#include "engine/subjects/linker.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

using engine::subjects::AttributeInput;
using engine::subjects::SubjectWorkspace;

TEST(SubjectsAttributesTest, SchemaIsTheRiskModelsAttributeNames) {
  std::set<std::string> ours;
  for (std::string_view n : engine::subjects::RiskAttributeNames()) ours.insert(std::string(n));
  const auto names = RiskModelDocAttributeNames();
  const std::set<std::string> spec(names.begin(), names.end());
  EXPECT_EQ(spec.size(), 11u);
  EXPECT_EQ(ours, spec);
  for (const auto& name : spec) EXPECT_TRUE(engine::subjects::CheckAttributeName(name).ok()) << name;
}

TEST(SubjectsAttributesTest, UnknownNamesAreRejectedWithTheValidListAndProtectedOnesRefused) {
  const Status unknown = engine::subjects::CheckAttributeName("likes_cats");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("lives_with_children"), std::string::npos) << unknown.message();
  EXPECT_NE(unknown.message().find("sexual_interest_indicators"), std::string::npos);
  for (const char* name : {"ethnicity", "Religion", "postcode", "home-postcode", "nationality", "area_of_residence"}) {
    const Status s = engine::subjects::CheckAttributeName(name);
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("protected"), std::string::npos) << name << ": " << s.message();
  }
  EXPECT_TRUE(engine::subjects::CheckAttributeName("area").ok());  // routing code
}

TEST(SubjectsAttributesTest, HistoryIsKeptAndTheProfileHasTheLatestWithProvenance) {
  TempDir dir;
  auto store = OpenCase(dir / "case");
  {
    auto txn = store->Begin();
    ASSERT_TRUE(engine::EnsureSubjectExists(*store, *txn, "SUSPECT-1", kIntakeDay).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto set = [&](const std::string& name, const std::string& value, const std::string& source, std::int64_t at,
                 const std::string& by) {
    auto txn = store->Begin();
    SubjectWorkspace work(*store, *txn);
    auto r = engine::subjects::StageAttribute(work, AttributeInput{"SUSPECT-1", name, value, source, at, by}, at);
    if (r.ok()) {
      EXPECT_TRUE(work.Flush().ok());
      EXPECT_TRUE(txn->Commit().ok());
    }
    return r.status();
  };
  EXPECT_TRUE(set("lives_with_children", "unknown", "referral triage", kIntakeDay, "PC A").ok());
  EXPECT_TRUE(set("lives_with_children", "YES", "social services check", kIntakeDay + 86400, "DC B").ok());
  // Entered later but established earlier: does not replace the newer fact.
  EXPECT_TRUE(set("lives_with_children", "no", "old intelligence report", kIntakeDay - 86400 * 300, "DC C").ok());
  EXPECT_TRUE(set("area", "WMP", "force boundary", kIntakeDay, "PC A").ok());
  EXPECT_FALSE(set("lives_with_children", "maybe", "x", kIntakeDay, "PC A").ok());
  EXPECT_FALSE(set("lives_with_children", "yes", "", kIntakeDay, "PC A").ok());  // a source is required
  EXPECT_FALSE(set("ethnicity", "x", "y", kIntakeDay, "PC A").ok());
  EXPECT_EQ(set("grooming", "yes", "chat logs", kIntakeDay, "PC A").code(), StatusCode::kOk);
  {
    auto txn = store->Begin();
    SubjectWorkspace work(*store, *txn);
    auto missing = engine::subjects::StageAttribute(work, AttributeInput{"NOBODY", "grooming", "yes", "s", 1, "x"}, 1);
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  }

  auto history = store->subjects().Attributes({"SUSPECT-1"});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 5u);
  auto profile = engine::LoadSubjectProfile(*store, "SUSPECT-1");
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->area, "WMP");
  ASSERT_EQ(profile->attributes.size(), 2u);  // area is routing, not an attribute the model reads
  const auto& lives = profile->attributes[0];
  EXPECT_EQ(lives.name, "lives_with_children");
  EXPECT_EQ(lives.value, engine::TriState::kYes);
  EXPECT_EQ(lives.source, "social services check");
  EXPECT_EQ(lives.recorded_by, "DC B");
  EXPECT_EQ(lives.recorded_at, kIntakeDay + 86400);
  EXPECT_EQ(lives.ref.find('\0'), std::string::npos);
  EXPECT_TRUE(lives.ref.starts_with("attribute #")) << lives.ref;
  EXPECT_EQ(profile->attributes[1].name, "grooming");
}

}  // namespace
}  // namespace hashtriage::testing
