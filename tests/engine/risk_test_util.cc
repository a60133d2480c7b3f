#include "tests/engine/risk_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/risk/rescore.h"

namespace hashtriage::testing {

engine::SubjectProfile Subject(const std::string& id, std::int64_t first) {
  engine::SubjectProfile p;
  p.subject_id = id;
  p.display_name = "subject " + id;
  p.first_activity = first;
  p.last_activity = first;
  return p;
}

void AddHits(engine::SubjectProfile& p, index::Category category, int count, const std::string& tag) {
  for (int i = 0; i < count; ++i) {
    engine::HitEvidence h;
    h.category = category;
    h.kind = engine::MatchKind::kMd5;
    h.set = "test-set";
    h.source = "scan:1:DCIM/" + tag + std::string(index::CategoryName(category)) + std::to_string(i) + ".jpg";
    h.content = std::to_string(p.hits.size()) + tag;
    p.hits.push_back(h);
  }
}

void AddReferral(engine::SubjectProfile& p, const std::string& referral_id, std::int64_t at) {
  p.referral_ids.push_back(referral_id);
  if (!p.first_activity || at < *p.first_activity) p.first_activity = at;
  if (!p.last_activity || at > *p.last_activity) p.last_activity = at;
}

void SetAttribute(engine::SubjectProfile& p, const std::string& name, engine::TriState value, std::int64_t at,
                  const std::string& by) {
  for (auto& a : p.attributes) {
    if (a.name == name) {
      a.value = value;
      a.recorded_at = at;
      return;
    }
  }
  engine::AttributeValue v;
  v.name = name;
  v.value = value;
  v.source = "test check";
  v.recorded_at = at;
  v.recorded_by = by;
  v.ref = "attribute " + p.subject_id + "/" + name;
  p.attributes.push_back(std::move(v));
}

engine::risk::RiskModel DefaultModel() {
  auto model = engine::risk::LoadRiskModel("");
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : engine::risk::RiskModel{};
}

std::string DefaultModelWith(const std::string& find, const std::string& replace) {
  std::string text(engine::risk::DefaultRiskModelText());
  const std::size_t at = text.find(find);
  EXPECT_NE(at, std::string::npos) << "'" << find << "' is not in the shipped model";
  if (at != std::string::npos) text.replace(at, find.size(), replace);
  return text;
}

int LineOf(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

TempCase::TempCase() {
  engine::CaseOptions options;
  options.location = (dir / "case").string();
  auto opened = engine::OpenCase(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (opened.ok()) store = std::move(opened).value();
}

std::filesystem::path SharedDocsDir() { return TestDataDir().parent_path() / "docs"; }

std::string SpecText() {
  std::ifstream in(SharedDocsDir() / "risk-model.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, int> SpecAttributePoints() {
  std::map<std::string, int> out;
  std::istringstream in(SpecText());
  std::string line;
  // | Factor | `attribute_name` | basis | points |
  const std::regex row(R"(^\|[^|]*\|\s*`([a-z_]+)`\s*\|[^|]*\|\s*(\d+)\s*\|\s*$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) out[m[1]] = std::stoi(m[2]);
  }
  return out;
}

}  // namespace hashtriage::testing
