// The risk commands end to end through the real binary, as an investigator would use them: referrals
// (P2P monitoring CSV over benign test photos labelled with test categories) -> queue -> attributes
// -> review/override -> re-open -> dip-sample -> forecast -> exports (HTML in headless Chromium, VICS
// re-imported by `index import`) -> audit.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/engine/risk_test_util.h"
#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

using Json = nlohmann::json;

std::string Md5sumOf(const std::filesystem::path& file) {
  return RunCommand("md5sum " + ShellQuote(file.string())).out.substr(0, 32);
}

class RiskCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = new TempDir();
    const auto faces = TestDataDir() / "photos" / "gnome-faces";
    std::string a, c;
    for (const char* f : {"astronaut.jpg", "bicycle.jpg", "book.jpg"}) a += Md5sumOf(faces / f) + "  " + f + "\n";
    for (const char* f : {"calculator.jpg", "cat.jpg"}) c += Md5sumOf(faces / f) + "  " + f + "\n";
    WriteText(*shared_ / "a.md5", a);
    WriteText(*shared_ / "c.md5", c);
    index_ = (*shared_ / "index").string();
    for (auto [set, cat, file] : {std::tuple{"testA", "A", "a.md5"}, std::tuple{"testC", "C", "c.md5"}}) {
      const auto r = RunCommand(ShellQuote(HashtriageBinary().string()) + " index import --index " + ShellQuote(index_) +
                                " --set " + set + " --format md5sum --category " + cat + " " +
                                ShellQuote((*shared_ / file).string()));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  // Runs hashtriage on this test's case (and the shared index) at time `now`.
  CommandResult Run(const std::string& args, const std::string& now = "2026-11-02T12:00:00Z") {
    return RunCommand("HASHTRIAGE_CASE=" + ShellQuote(case_dir()) + " HASHTRIAGE_INDEX=" + ShellQuote(index_) +
                      " HASHTRIAGE_NOW=" + now + " " + ShellQuote(HashtriageBinary().string()) + " " + args);
  }
  Json RunJson(const std::string& args, const std::string& now = "2026-11-02T12:00:00Z") {
    const auto r = Run(args, now);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  std::string case_dir() const { return (dir_ / "case").string(); }

  // P2P monitoring rows: the carer offers one Category A test image; the collector three A and two
  // C; the bystander one C.
  void Intake(const std::string& file, const std::vector<std::pair<std::string, std::string>>& rows,
              const std::string& now) {
    const auto faces = TestDataDir() / "photos" / "gnome-faces";
    std::string csv = "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n";
    int n = 0;
    for (const auto& [guid, photo] : rows) {
      csv += now + ",gnutella," + guid + ",192.0.2." + std::to_string(10 + ++n) + ",6346," + photo + "," +
             Md5sumOf(faces / photo) + ",,1000\n";
    }
    WriteText(dir_ / file, csv);
    const auto r = Run("intake " + ShellQuote((dir_ / file).string()), now);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void BuildCase() {
    ASSERT_EQ(Run("case init", "2026-11-01T00:00:00Z").exit_code, 0);
    Intake("day1.csv",
           {{"GUID-CARER", "astronaut.jpg"},
            {"GUID-COLLECTOR", "astronaut.jpg"},
            {"GUID-COLLECTOR", "bicycle.jpg"},
            {"GUID-COLLECTOR", "book.jpg"},
            {"GUID-COLLECTOR", "calculator.jpg"},
            {"GUID-COLLECTOR", "cat.jpg"},
            {"GUID-BYSTANDER", "cat.jpg"}},
           "2026-11-01T10:00:00Z");
    const Json q = RunJson("queue --json");
    for (const auto& s : q["subjects"]) {
      const std::string name = s["display_name"];
      if (name.find("carer") != std::string::npos) carer_ = s["subject"];
      if (name.find("collector") != std::string::npos) collector_ = s["subject"];
      if (name.find("bystander") != std::string::npos) bystander_ = s["subject"];
    }
    ASSERT_FALSE(carer_.empty() || collector_.empty() || bystander_.empty()) << q.dump(1);
    SetAttr(carer_, "lives_with_children", "yes");
    for (const auto& who : {collector_, bystander_}) {
      for (const char* a : {"lives_with_children", "works_with_children", "other_access_to_children"}) SetAttr(who, a, "no");
    }
  }

  void SetAttr(const std::string& subject, const std::string& name, const std::string& value,
               const std::string& now = "2026-11-02T09:00:00Z") {
    const auto r = Run("subject attr set " + subject + " " + name + " " + value + " --source checks --by 'DC Ash'", now);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Subject id -> band, as `queue --json` shows them.
  std::map<std::string, std::string> Bands() {
    std::map<std::string, std::string> out;
    const Json queue = RunJson("queue --json");
    for (const auto& s : queue["subjects"]) out[s["subject"].get<std::string>()] = s["band"].get<std::string>();
    return out;
  }

  static Json Find(const Json& queue, const std::string& subject) {
    for (const auto& s : queue["subjects"]) {
      if (s["subject"] == subject) return s;
    }
    return Json();
  }

  static TempDir* shared_;
  static std::string index_;
  TempDir dir_;
  std::string carer_, collector_, bystander_;
};

TempDir* RiskCliTest::shared_ = nullptr;
std::string RiskCliTest::index_;

TEST_F(RiskCliTest, RanksReviewsOverridesAndReopens) {
  BuildCase();
  Json q = RunJson("queue --json");
  ASSERT_EQ(q["subjects"].size(), 3u);
  // Lives with children + one Category A image ranks above more hits with no access.
  EXPECT_EQ(q["subjects"][0]["subject"], carer_);
  EXPECT_EQ(q["subjects"][0]["band"], "high");
  EXPECT_EQ(Find(q, collector_)["band"], "low");
  EXPECT_GT(q["subjects"][0]["score"].get<int>(), Find(q, collector_)["score"].get<int>());
  for (const auto& s : q["subjects"]) {
    EXPECT_TRUE(s["deadline"].is_string());
    EXPECT_FALSE(s["factors"].empty());
  }

  // A human override, shown beside the model's band, survives a re-score that disagrees.
  auto r = Run("review " + collector_ + " --band high --reason 'chat logs show a sexual interest' --by 'DS Vale'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SetAttr(collector_, "prior_criminal_history", "yes", "2026-11-02T13:00:00Z");
  q = RunJson("queue --json", "2026-11-02T14:00:00Z");
  Json c = Find(q, collector_);
  EXPECT_EQ(c["band"], "high");
  EXPECT_EQ(c["model_band"], "medium");
  EXPECT_EQ(c["override"]["by"], "DS Vale");
  EXPECT_TRUE(c["review_flag"].is_string()) << c.dump(1);

  // investigate closes the entry (kept with --all); a later referral re-opens it.
  r = Run("review " + carer_ + " --outcome investigate --reason 'warrant' --by 'DS Vale'", "2026-11-03T09:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  q = RunJson("queue --json", "2026-11-03T10:00:00Z");
  EXPECT_TRUE(Find(q, carer_).is_null());
  q = RunJson("queue --json --all", "2026-11-03T10:00:00Z");
  EXPECT_EQ(Find(q, carer_)["status"], "closed: investigate");
  Intake("day5.csv", {{"GUID-CARER", "book.jpg"}}, "2026-11-05T10:00:00Z");
  q = RunJson("queue --json", "2026-11-05T11:00:00Z");
  c = Find(q, carer_);
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(c["episode"], 2);
  EXPECT_EQ(c["entered"], "2026-11-05T10:00:00Z");

  // Bad requests are refused with a reason.
  r = Run("review " + collector_ + " --outcome maybe --reason x --by y");
  EXPECT_EQ(r.exit_code, 2);
  r = Run("review NOBODY --outcome keep --reason x --by y");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not in the queue"), std::string::npos) << r.err;
}

// A decision names the version of the queue row it was made on: after a researcher's change to the
// subject that version is stale and the review is refused (exit 1, naming who changed it), nothing is
// recorded; on the fresh version it is recorded and answers with the entry's new version.
TEST_F(RiskCliTest, AReviewOnAStaleVersionIsRefusedAndOnTheCurrentOneRecorded) {
  BuildCase();
  const std::string seen = Find(RunJson("queue --json"), bystander_)["version"];
  ASSERT_EQ(seen.size(), 16u);
  EXPECT_EQ(Find(RunJson("queue --json"), bystander_)["version"], seen);  // the same entry, the same version
  SetAttr(bystander_, "works_with_children", "yes", "2026-11-02T10:00:00Z");
  const std::string fresh = Find(RunJson("queue --json", "2026-11-02T11:00:00Z"), bystander_)["version"];
  EXPECT_NE(fresh, seen);
  auto r = Run("review " + bystander_ + " --outcome no-further-action --reason 'nothing found' --by 'DS Vale' --version " + seen,
               "2026-11-02T11:00:00Z");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("by DC Ash"), std::string::npos) << r.err;
  EXPECT_FALSE(Find(RunJson("queue --json", "2026-11-02T11:00:00Z"), bystander_).is_null());  // still open
  r = Run("review " + bystander_ + " --outcome keep --band high --reason 'works with children' --by 'DS Vale' --json --version " +
              fresh,
          "2026-11-02T11:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json decided = Json::parse(r.out);
  EXPECT_EQ(decided["version"], Find(RunJson("queue --json", "2026-11-02T11:00:00Z"), bystander_)["version"]);
  EXPECT_NE(decided["version"], fresh);
  // Two reviewers on the same version: the second is refused and told who decided first.
  const std::string both_saw = decided["version"];
  r = Run("review " + bystander_ + " --outcome investigate --reason 'first look' --by 'DC Reed' --version " + both_saw,
          "2026-11-02T12:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run("review " + bystander_ + " --outcome keep --reason 'second look' --by 'DC Moss' --version " + both_saw,
          "2026-11-02T12:00:00Z");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("the latest change to the case was by DC Reed"), std::string::npos) << r.err;
}

TEST_F(RiskCliTest, DipSampleForecastModelAndAudit) {
  BuildCase();
  const Json first = RunJson("dip-sample --size 5 --json", "2026-11-04T08:00:00Z");
  const Json again = RunJson("dip-sample --size 5 --json", "2026-11-04T09:00:00Z");
  EXPECT_EQ(first["items"], again["items"]);
  EXPECT_EQ(again["repeat"], true);
  ASSERT_EQ(first["items"].size(), 2u);  // collector and bystander are Low; the carer is High
  for (const auto& item : first["items"]) EXPECT_NE(item["subject"], carer_);
  auto r = Run("review " + bystander_ + " --band medium --reason 'dip-sample: seen in a chat group' --by 'DS Vale'",
               "2026-11-04T10:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dip-sample 2026-11-04#1"), std::string::npos) << r.out;
  const Json report = RunJson("dip-sample --report --json", "2026-11-04T11:00:00Z");
  EXPECT_EQ(report["total"]["regraded_up"], 1);
  EXPECT_EQ(report["total"]["reviewed"], 1);
  EXPECT_EQ(report["draws"][0]["outcomes"][bystander_], "re-graded up to Medium");
  // A period: the draw of 2026-11-04 is in 11-01..11-04 and not in 11-05..11-30.
  const Json in_period = RunJson("dip-sample --report --json --from 2026-11-01 --to 2026-11-04", "2026-11-04T11:00:00Z");
  EXPECT_EQ(in_period["draws"].size(), 1u);
  EXPECT_EQ(in_period["total"]["sampled"], 2);
  const Json after = RunJson("dip-sample --report --json --from 2026-11-05 --to 2026-11-30", "2026-11-04T11:00:00Z");
  EXPECT_EQ(after["draws"].size(), 0u);
  EXPECT_EQ(after["total"]["sampled"], 0);

  const Json f = RunJson("forecast --capacity 1/day --days 30 --json", "2026-11-04T12:00:00Z");
  EXPECT_EQ(f["bands"].size(), 4u);
  EXPECT_TRUE(f["required_capacity_per_day"].is_number());
  EXPECT_EQ(Run("forecast --capacity none").exit_code, 2);

  // A model naming a protected attribute is refused, and nothing is re-scored with it.
  WriteText(dir_ / "bad.toml", DefaultModelWith("attribute = \"grooming\"", "attribute = \"nationality\""));
  r = Run("rank --model " + ShellQuote((dir_ / "bad.toml").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("protected"), std::string::npos) << r.err;
  const Json ranked = RunJson("rank --json");
  EXPECT_EQ(ranked["subjects"], 3);

  r = Run("audit verify");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Run("audit show");
  for (const char* action : {"dip-sample", "review", "rank"}) {
    EXPECT_NE(r.out.find(action), std::string::npos) << action;
  }
}

// Regression: a misspelt attribute (or an empty file) used to be accepted, kept as the case's model and
// re-band every subject. Now it is refused with its line and the case is left exactly as it was.
TEST_F(RiskCliTest, RefusedModelChangesNoBandAndIsNotKept) {
  BuildCase();
  const Json case_model = RunJson("rank --json")["model"];
  ASSERT_EQ(case_model["source"], "built-in default");
  const Json before = RunJson("queue --json");
  ASSERT_EQ(before["subjects"].size(), 3u);
  struct Fault {
    std::string file, text, line_of, reason;
  } faults[] = {
      {"misspelt.toml", DefaultModelWith("attribute = \"lives_with_children\"", "attribute = \"lives_with_childen\""),
       "lives_with_childen", "lives_with_childen: unknown attribute; did you mean lives_with_children?"},
      {"empty.toml", "", "", "the risk model is empty"},
  };
  for (const Fault& f : faults) {
    const std::string path = (dir_ / f.file).string();
    WriteText(path, f.text);
    const int line = f.line_of.empty() ? 1 : LineOf(f.text, f.line_of);
    const auto r = Run("rank --model " + ShellQuote(path));
    EXPECT_EQ(r.exit_code, 2) << f.file << ": " << r.out;
    EXPECT_EQ(r.err, "hashtriage: " + path + ":" + std::to_string(line) + ": " + f.reason + "\n");
    EXPECT_EQ(RunJson("queue --json"), before) << f.file;
  }
  // The case still scores with the model it had: nothing re-banded, no band change recorded.
  const Json again = RunJson("rank --json");
  EXPECT_EQ(again["model"], case_model);
  EXPECT_TRUE(again["band_changes"].empty()) << again.dump(1);
  EXPECT_EQ(RunJson("queue --json"), before);
}

// Regression: `rank --model default` read a file named "default"; the shipped model could not be had back.
TEST_F(RiskCliTest, ModelDefaultRestoresTheShippedModelAfterACustomOne) {
  BuildCase();
  const Json shipped = RunJson("rank --json")["model"];
  const auto shipped_bands = Bands();
  ASSERT_EQ(shipped_bands.size(), 3u);
  // A custom model whose only change is lower band thresholds: every subject with a hit moves up.
  const auto custom = dir_ / "custom.toml";
  WriteText(custom, DefaultModelWith("very_high = 60\nhigh = 35\nmedium = 15", "very_high = 3\nhigh = 2\nmedium = 1"));
  Json ranked = RunJson("rank --json --model " + ShellQuote(custom.string()));
  EXPECT_EQ(ranked["model"]["sha256"], RunCommand("sha256sum " + ShellQuote(custom.string())).out.substr(0, 64));
  EXPECT_FALSE(ranked["band_changes"].empty());
  const auto custom_bands = Bands();
  EXPECT_EQ(custom_bands.at(collector_), "very-high");
  EXPECT_NE(custom_bands, shipped_bands);
  EXPECT_EQ(RunJson("rank --json")["model"], ranked["model"]);  // the case kept the custom model

  ranked = RunJson("rank --json --model default");
  EXPECT_EQ(ranked["model"], shipped);
  EXPECT_EQ(Bands(), shipped_bands);
  // ...and keeps the shipped one from now on.
  EXPECT_EQ(RunJson("rank --json")["model"], shipped);
  EXPECT_EQ(Bands(), shipped_bands);
}

TEST_F(RiskCliTest, ExportsHtmlCsvAndVicsThatGriffeyeStyleImportersRead) {
  BuildCase();
  const auto html = dir_ / "queue.html";
  auto r = Run("export queue --format html --out " + ShellQuote(html.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = [&] {
    std::ifstream in(html);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  for (const auto& s : {carer_, collector_, bystander_}) EXPECT_NE(page.find("subject-" + s), std::string::npos) << s;
  EXPECT_EQ(RunCommand("stat -c %a " + ShellQuote(html.string())).out, "600\n");

  r = Run("export queue --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 4u);

  const auto dom = ChromiumDumpDom(html, dir_ / "profile");
  ASSERT_EQ(dom.exit_code, 0) << "headless chromium failed (scripts/install-deps installs it)";
  for (const auto& s : {carer_, collector_, bystander_}) {
    EXPECT_NE(dom.out.find("<tr id=\"subject-" + s + "\""), std::string::npos) << s;
  }

  // VICS 2.0 of the matched media, read back by hashtriage's own VICS importer.
  const auto vics = dir_ / "media.vics.json";
  r = Run("export vics --subject " + collector_ + " --out " + ShellQuote(vics.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(vics);
  const Json doc = Json::parse(in);
  EXPECT_NE(doc["@odata.context"].get<std::string>().find("/2.0.xml/UK/$metadata#Cases"), std::string::npos);
  const auto& media = doc["value"][0]["Media"];
  EXPECT_EQ(media.size(), 5u);  // the collector's five distinct images
  for (const auto& m : media) {
    ASSERT_FALSE(m["MediaFiles"].empty());
    EXPECT_EQ(m["MediaFiles"][0]["SourceID"].get<std::string>().rfind("referral:", 0), 0u);
  }
  const std::string back = (dir_ / "reimported").string();
  r = RunCommand(ShellQuote(HashtriageBinary().string()) + " index import --index " + ShellQuote(back) +
                 " --set back --format vics " + ShellQuote(vics.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto faces = TestDataDir() / "photos" / "gnome-faces";
  r = RunCommand(ShellQuote(HashtriageBinary().string()) + " index lookup --index " + ShellQuote(back) + " --md5 " +
                 Md5sumOf(faces / "astronaut.jpg"));
  EXPECT_EQ(r.exit_code, 10) << r.out << r.err;
  EXPECT_NE(r.out.find("\"A\""), std::string::npos) << r.out;
  r = RunCommand(ShellQuote(HashtriageBinary().string()) + " index lookup --index " + ShellQuote(back) + " --md5 " +
                 Md5sumOf(faces / "cat.jpg"));
  EXPECT_NE(r.out.find("\"C\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hashtriage::testing

namespace hashtriage::testing {
namespace {

// The research queue as a researcher uses it: tasks of open subjects, access to children first; a
// recorded finding re-scores at once, leaves the list and changes the subject's outlook; a review is
// a label for calibrate.
TEST_F(RiskCliTest, ResearchListsTasksAccessFirstAndAFindingLeavesIt) {
  BuildCase();
  // The bystander's access is known ("no"): lift one of them back to unknown so an access task exists.
  SetAttr(bystander_, "other_access_to_children", "unknown");
  Json research = RunJson("research --json --capacity 2");
  const Json& tasks = research["tasks"];
  ASSERT_GT(tasks.size(), 3u) << research.dump(1);
  bool seen_other = false;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i]["rank"], i + 1);
    EXPECT_EQ(tasks[i]["today"], i < 2);
    const bool access = tasks[i]["access_to_children"];
    EXPECT_FALSE(access && seen_other) << "access task after another at rank " << i + 1;
    seen_other |= !access;
    const double p = tasks[i]["p_high"], yes = tasks[i]["p_high_if_yes"], no = tasks[i]["p_high_if_no"];
    EXPECT_LE(no, p + 1e-9);
    EXPECT_GE(yes, p - 1e-9);
  }
  bool listed = false;
  for (const auto& t : tasks) listed |= t["subject"] == bystander_ && t["attribute"] == "other_access_to_children";
  EXPECT_TRUE(listed) << research.dump(1);
  const auto text = Run("research --capacity 2");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("open task(s), capacity 2/day"), std::string::npos) << text.out;
  // --limit shows the first tasks and says how many there are.
  const auto limited = Run("research --limit 2");
  EXPECT_NE(limited.out.find(": " + std::to_string(tasks.size()) + " open task(s) (the first 2 shown)"), std::string::npos)
      << limited.out;
  const Json limited_json = RunJson("research --json --limit 2");
  EXPECT_EQ(limited_json["tasks"].size(), 2u);
  EXPECT_EQ(limited_json["total"], tasks.size());
  const auto queue = Run("queue");
  EXPECT_NE(queue.out.find("likely High once known:"), std::string::npos) << queue.out;
  EXPECT_NE(Find(RunJson("queue --json"), bystander_)["outlook"]["unknowns"].dump().find("other_access_to_children"),
            std::string::npos);

  SetAttr(bystander_, "other_access_to_children", "no", "2026-11-02T10:00:00Z");
  research = RunJson("research --json");
  for (const auto& t : research["tasks"]) {
    EXPECT_FALSE(t["subject"] == bystander_ && t["attribute"] == "other_access_to_children") << t.dump();
  }
  EXPECT_EQ(Find(RunJson("queue --json"), bystander_)["outlook"]["unknowns"].dump().find("other_access_to_children"),
            std::string::npos);

  // A reviewer raises the bystander: calibrate counts it against the model's band, writes a proposed
  // model that `rank --model` accepts, and changes nothing by itself.
  const std::string before = RunJson("queue --json")["model"]["sha256"];
  auto r = Run("review " + bystander_ + " --band high --reason 'seen in chat' --by 'DS Vale'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto proposed = dir_ / "proposed.toml";
  const Json cal = RunJson("calibrate --json --out " + ShellQuote(proposed.string()));
  EXPECT_EQ(cal["decisions"], 1);
  int raised = 0;
  for (const auto& b : cal["bands"]) raised += b["raised"].get<int>();
  EXPECT_EQ(raised, 1) << cal.dump(1);
  EXPECT_EQ(RunJson("queue --json")["model"]["sha256"], before);
  r = Run("rank --model " + ShellQuote(proposed.string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RunJson("queue --json")["model"]["name"], "hashtriage-default-proposed");
}

}  // namespace
}  // namespace hashtriage::testing
