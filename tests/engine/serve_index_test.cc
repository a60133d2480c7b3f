// The known-image index managed through `hashtriage serve` by an admin, against a real PostgreSQL and
// the real executable: a hash list uploaded over HTTP becomes a set that the command line's own
// `index lookup` (the independent check) finds, with its bad line reported by the uploaded file's name
// and line; the re-match that follows gives the subject whose referral held that hash its hit; an upload
// that cannot make a set leaves the index as it was; removal undoes it; every change is audited under
// the admin; the server never reads a category map from a path a request names.
#include <gtest/gtest.h>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "index/known_index.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/engine/serve_test_support.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

using nlohmann::json;

constexpr const char* kOldMd5 = "00112233445566778899aabbccddeeff";
constexpr const char* kNewMd5 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

class ServeIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    ASSERT_EQ(RunCommand(Bin() + " db migrate --case " + ShellQuote(db_.url())).exit_code, 0);
    for (const char* role : {"admin", "supervisor"}) {
      const auto added = RunCommand("printf '%s\\n' " + ShellQuote(kTestPassword) + " | " + Bin() + " user add " + role +
                                    " --role " + role + " --case " + ShellQuote(db_.url()));
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    ReportSpec spec;
    spec.id = "R1";
    spec.account = "acct1";
    spec.emails = {"person1@example.org"};
    spec.md5s = {kNewMd5};
    WriteJsonLines(dir_.path() / "tips.jsonl", {CybertipReport(spec)});
    BuildIndex(index(), "known", std::vector<std::pair<std::string, index::Category>>{{kOldMd5, index::Category::kB}});
    const auto intake = RunCommand(Bin() + " intake " + Q(dir_.path() / "tips.jsonl") + " --index " + Q(index()) +
                                   " --case " + ShellQuote(db_.url()));
    ASSERT_EQ(intake.exit_code, 0) << intake.err;
  }

  std::filesystem::path index() const { return dir_.path() / "index"; }
  int Lookup(const std::string& md5) {
    return RunCommand(Bin() + " index lookup --index " + Q(index()) + " --md5 " + md5).exit_code;
  }

  TestDatabase db_;
  TempDir dir_;
};

TEST_F(ServeIndexTest, AnAdminImportsRematchesAndRemovesASetOverTheApiAndEveryStepIsAudited) {
  ServeProcess server({"--case", db_.url(), "--index", index().string()}, dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient admin(server.url());
  ASSERT_EQ(admin.SignIn("admin", kTestPassword).status, 200);

  const json before = admin.Get("/api/v1/index").json();
  ASSERT_EQ(before["set_details"].size(), 1u);
  EXPECT_EQ(before["set_details"][0]["name"], "known");
  EXPECT_EQ(before["set_details"][0]["entries"]["md5"], 1);
  ASSERT_EQ(Lookup(kNewMd5), 0);

  // No category for a list that carries none: refused, nothing created.
  const auto no_category = admin.Post("/api/v1/index/sets", {{"set", "new"}, {"format", "md5sum"}, {"file", "new.md5"},
                                                             {"content", std::string(kNewMd5) + "  a.jpg\n"}});
  EXPECT_EQ(no_category.status, 400) << no_category.body;
  EXPECT_NE(no_category.json()["error"].get<std::string>().find("category"), std::string::npos) << no_category.body;
  // A category map is a built-in name, never a path on the server.
  const auto map_path = admin.Post("/api/v1/index/sets", {{"set", "new"}, {"format", "vics"}, {"category_map", "/etc/passwd"},
                                                          {"file", "x.json"}, {"content", "{}"}});
  EXPECT_EQ(map_path.status, 400) << map_path.body;
  // Nothing valid: refused with the file's name (not the server's scratch path), the index unchanged.
  const auto nothing = admin.Post("/api/v1/index/sets", {{"set", "known"}, {"format", "md5sum"}, {"category", "A"},
                                                         {"file", "bad.md5"}, {"content", "zz  x.jpg\n"}});
  EXPECT_EQ(nothing.status, 400) << nothing.body;
  const std::string nothing_error = nothing.json()["error"];
  EXPECT_NE(nothing_error.find("bad.md5"), std::string::npos) << nothing_error;
  EXPECT_EQ(nothing_error.find("index-upload-"), std::string::npos) << nothing_error;
  EXPECT_EQ(admin.Get("/api/v1/index").json()["sha256"], before["sha256"]);
  EXPECT_EQ(Lookup(kOldMd5), 10);

  // One good line and one bad: the set is made, the bad line reported as bad.md5 line 2.
  const auto imported = admin.Post("/api/v1/index/sets", {{"set", "new"}, {"format", "md5sum"}, {"category", "A"},
                                                          {"file", "new.md5"},
                                                          {"content", std::string(kNewMd5) + "  a.jpg\nnot-a-hash  b.jpg\n"}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  const json summary = imported.json();
  EXPECT_EQ(summary["records_read"], 2);
  EXPECT_EQ(summary["records_rejected"], 1);
  ASSERT_EQ(summary["rejections"].size(), 1u);
  EXPECT_EQ(summary["rejections"][0]["file"], "new.md5");
  EXPECT_EQ(summary["rejections"][0]["line"], 2);
  EXPECT_EQ(summary["set"]["sources"], json::array({"new.md5"}));
  EXPECT_EQ(summary["entries_added"]["md5"], 1);
  EXPECT_EQ(summary["rematch_needed"], true);
  EXPECT_NE(summary["index"]["sha256"], before["sha256"]);
  EXPECT_EQ(Lookup(kNewMd5), 10);  // the command line sees the set the API made

  // The referral's file was not known at intake; after the re-match its subject has the hit.
  ApiClient sup(server.url());
  ASSERT_EQ(sup.SignIn("supervisor", kTestPassword).status, 200);
  const json queue = sup.Get("/api/v1/queue?limit=10").json();
  ASSERT_EQ(queue["subjects"].size(), 1u);
  const std::string subject = queue["subjects"][0]["subject"];
  EXPECT_EQ(sup.Get("/api/v1/subjects/" + subject).json()["hits"].size(), 0u);
  const auto rematched = admin.Post("/api/v1/rematch", json::object());
  ASSERT_EQ(rematched.status, 200) << rematched.body;
  EXPECT_EQ(rematched.json()["hits_gained"], 1);
  EXPECT_EQ(rematched.json()["hits_lost"], 0);
  const json view = sup.Get("/api/v1/subjects/" + subject).json();
  ASSERT_EQ(view["hits"].size(), 1u);
  EXPECT_EQ(view["hits"][0]["set"], "new");
  EXPECT_EQ(view["hits"][0]["category"], "A");

  // While another process changes the index (here: the test holds it open for writing), an import is
  // refused with 409 and changes nothing.
  {
    index::IndexOptions writer;
    writer.path = index();
    writer.read_only = false;
    auto held = index::KnownIndex::Open(writer);
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    const auto busy = admin.Post("/api/v1/index/sets", {{"set", "other"}, {"format", "md5sum"}, {"category", "C"},
                                                        {"file", "other.md5"}, {"content", std::string(kOldMd5) + "  c.jpg\n"}});
    EXPECT_EQ(busy.status, 409) << busy.body;
  }
  EXPECT_EQ(admin.Get("/api/v1/index").json()["sha256"], summary["index"]["sha256"]);

  // Removal: gone for the command line too; a second removal is 404.
  const auto removed = admin.Delete("/api/v1/index/sets/new");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.json()["removed"], json::array({"new"}));
  EXPECT_EQ(Lookup(kNewMd5), 0);
  EXPECT_EQ(admin.Delete("/api/v1/index/sets/new").status, 404);
  EXPECT_EQ(admin.Get("/api/v1/index").json()["set_details"].size(), 1u);

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> changes;
  for (const auto& e : *entries) {
    const std::string action = e.details.value("action", "");
    if (action.rfind("index ", 0) != 0) continue;
    changes.push_back(action + " " + e.details.value("set", "") + " by " + e.user);
    EXPECT_EQ(e.details.value("by", ""), "admin");
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"index import new by admin", "index remove new by admin"}));
  EXPECT_TRUE(engine::VerifyAudit((*c)->audit()).intact);
}

}  // namespace
}  // namespace hashtriage::testing
