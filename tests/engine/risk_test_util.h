// Helpers for the risk tests: subject profiles built in code (the subjects module's loader is not
// needed), a temporary case, and the spec (../shared/docs/risk-model.md) read at test time so the
// default model is checked against the document, not against a copy of itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "engine/risk/risk_model.h"
#include "engine/subject_profile.h"
#include "tests/test_support.h"

namespace hashtriage::testing {

inline constexpr std::int64_t kDay = 86400;
// 2026-11-01T00:00:00Z
inline constexpr std::int64_t kT0 = 1793491200;

// A subject with `hits` distinct images of `category` from one scan, first seen at `first`.
engine::SubjectProfile Subject(const std::string& id, std::int64_t first = kT0);
void AddHits(engine::SubjectProfile& p, index::Category category, int count, const std::string& tag = "");
void AddReferral(engine::SubjectProfile& p, const std::string& referral_id, std::int64_t at);
void SetAttribute(engine::SubjectProfile& p, const std::string& name, engine::TriState value,
                  std::int64_t at = kT0, const std::string& by = "DC Test");

engine::risk::RiskModel DefaultModel();
// The shipped model's text with the first occurrence of `find` replaced by `replace` (the test fails
// when `find` is not in it): a complete model but for one deliberate change.
std::string DefaultModelWith(const std::string& find, const std::string& replace);
// The 1-based line of `text` holding the first occurrence of `needle` (0 when absent).
int LineOf(const std::string& text, const std::string& needle);

// A fresh case in a temporary directory.
struct TempCase {
  TempDir dir;
  std::unique_ptr<engine::Case> store;
  TempCase();
};

// ../shared/docs (next to the test data).
std::filesystem::path SharedDocsDir();
// risk-model.md's factor table: attribute name -> default points (rows with an attribute name).
std::map<std::string, int> SpecAttributePoints();
// The text of risk-model.md.
std::string SpecText();

}  // namespace hashtriage::testing
