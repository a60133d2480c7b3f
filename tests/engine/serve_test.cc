// `hashtriage serve` against a real PostgreSQL, through real HTTP: every endpoint refuses the
// unauthenticated (401) and every role the issue does not give it (403), with the expected roles
// written here from the role descriptions (not read from the server's table); a change without the
// CSRF token is refused and stores nothing; idle-expired, disabled and changed accounts' sessions are
// refused; repeated wrong passwords lock an account; two people reviewing one subject get one success
// and one conflict naming the winner; an investigator reviews only their own subjects; changes are
// audited under the signed-in user; a kill -9 of the server loses no acknowledged review and a retry
// duplicates none; no response is ever an image; plain HTTP is refused off loopback, TLS works.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/queue_store.h"
#include "engine/serve/api.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/engine/serve_test_support.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;


class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    ASSERT_EQ(RunCommand(Bin() + " db migrate --case " + ShellQuote(db_.url())).exit_code, 0);
    for (const char* role : {"researcher", "investigator", "supervisor", "admin"}) {
      AddPerson(role, role);
    }
    AddPerson("bob", "investigator");
    const auto station = RunCommand(Bin() + " user add station1 --role station --case " + ShellQuote(db_.url()));
    ASSERT_EQ(station.exit_code, 0) << station.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(station.out, m, std::regex("hts_[0-9a-f]{64}")));
    station_token_ = m.str();
    // Ten subjects in the queue, from ten referrals.
    std::vector<json> reports;
    for (int i = 0; i < 10; ++i) {
      ReportSpec spec;
      spec.id = "R" + std::to_string(i);
      spec.account = "acct" + std::to_string(i);
      spec.emails = {"person" + std::to_string(i) + "@example.org"};
      spec.event_time = kIntakeDay + i * 60;
      reports.push_back(CybertipReport(spec));
    }
    WriteJsonLines(dir_.path() / "tips.jsonl", reports);
    const auto intake = RunCommand(Bin() + " intake " + Q(dir_.path() / "tips.jsonl") + " --case " + ShellQuote(db_.url()));
    ASSERT_EQ(intake.exit_code, 0) << intake.err;
    BuildIndex(dir_.path() / "index", "known", std::vector<std::pair<std::string, index::Category>>{
                                                   {"00112233445566778899aabbccddeeff", index::Category::kB}});
  }

  void AddPerson(const std::string& name, const std::string& role) {
    const auto added = RunCommand("printf '%s\\n' " + ShellQuote(kTestPassword) + " | " + Bin() + " user add " + name +
                                  " --role " + role + " --case " + ShellQuote(db_.url()));
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }

  std::vector<std::string> ServeArgs(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--case", db_.url(), "--index", (dir_.path() / "index").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::vector<std::string> QueueSubjects(ApiClient& client) {
    const auto page = client.Get("/api/v1/queue?limit=100");
    EXPECT_EQ(page.status, 200) << page.body;
    std::vector<std::string> ids;
    const json parsed = page.json();
    for (const auto& s : parsed["subjects"]) ids.push_back(s["subject"]);
    return ids;
  }

  TestDatabase db_;
  TempDir dir_;
  std::string station_token_;
};

// Each route of the API and the roles the issue gives it ("researcher (attributes, links, research
// tasks), investigator (queue, subject view, review of subjects they take or are assigned),
// supervisor (dip-sample, re-grade, forecast, assignments, exports), station (submits scan results,
// sees only its own), admin (users, index sets)"). Subject views are open to researchers too: research
// needs the subject it enriches.
struct Expected {
  std::string method;
  std::string pattern;  // as in the server's table
  std::set<std::string> roles;
};
const std::vector<Expected>& ExpectedRoutes() {
  static const std::vector<Expected> routes = {
      {"GET", "/api/v1/queue", {"investigator", "supervisor"}},
      {"GET", "/api/v1/subjects", {"researcher", "investigator", "supervisor"}},
      {"GET", "/api/v1/subjects/([^/]+)", {"researcher", "investigator", "supervisor"}},
      {"POST", "/api/v1/subjects/([^/]+)/take", {"investigator"}},
      {"POST", "/api/v1/subjects/([^/]+)/review", {"investigator", "supervisor"}},
      {"POST", "/api/v1/subjects/([^/]+)/attributes", {"researcher"}},
      {"GET", "/api/v1/research", {"researcher", "supervisor"}},
      {"GET", "/api/v1/research/ranked", {"researcher", "supervisor"}},
      {"POST", "/api/v1/subjects/([^/]+)/link", {"researcher"}},
      {"POST", "/api/v1/subjects/([^/]+)/unlink", {"researcher"}},
      {"POST", "/api/v1/dip-sample", {"supervisor"}},
      {"GET", "/api/v1/dip-sample", {"supervisor"}},
      {"GET", "/api/v1/forecast", {"supervisor"}},
      {"GET", "/api/v1/exports/queue.csv", {"supervisor"}},
      {"GET", "/api/v1/exports/queue.json", {"supervisor"}},
      {"GET", "/api/v1/exports/queue.html", {"supervisor"}},
      {"GET", "/api/v1/exports/vics.json", {"supervisor"}},
      {"GET", "/api/v1/stations", {"supervisor"}},
      {"GET", "/api/v1/users", {"admin"}},
      {"POST", "/api/v1/users", {"admin"}},
      {"POST", "/api/v1/users/([^/]+)", {"admin"}},
      {"GET", "/api/v1/index", {"admin"}},
      {"POST", "/api/v1/index/sets", {"admin"}},
      {"DELETE", "/api/v1/index/sets/([^/]+)", {"admin"}},
      {"POST", "/api/v1/rematch", {"admin"}},
      {"POST", "/api/v1/station/submissions", {"station"}},
      {"POST", "/api/v1/station/submissions/([^/]+)/files", {"station"}},
      {"POST", "/api/v1/station/submissions/([^/]+)/finish", {"station"}},
      {"GET", "/api/v1/station/submissions", {"station"}},
      {"POST", "/api/v1/station/intake", {"station"}},
  };
  return routes;
}

HttpReply Call(ApiClient& client, const std::string& method, const std::string& path, const json& body) {
  if (method == "GET") return client.Get(path);
  if (method == "DELETE") return client.Delete(path);
  return client.Post(path, body);
}

void ExpectNoImage(const HttpReply& reply, const std::string& what) {
  // JSON, CSV, or the HTML queue export (one self-contained page without images or scripts).
  EXPECT_TRUE(reply.content_type.rfind("application/json", 0) == 0 || reply.content_type.rfind("text/csv", 0) == 0 ||
              reply.content_type.rfind("text/html", 0) == 0)
      << what << " answered " << reply.content_type;
  if (reply.content_type.rfind("text/html", 0) == 0) {
    EXPECT_EQ(reply.body.find("<img"), std::string::npos) << what;
    EXPECT_EQ(reply.body.find("<script"), std::string::npos) << what;
  }
}

TEST_F(ServeTest, EveryEndpointRefusesTheUnauthenticatedAndEveryRoleNotAllowed) {
  // The test's table covers the server's, route for route.
  std::set<std::pair<std::string, std::string>> served, expected;
  for (const auto& r : engine::serve::ApiRoutes()) served.insert({r.method, r.pattern});
  for (const auto& e : ExpectedRoutes()) expected.insert({e.method, e.pattern});
  ASSERT_EQ(served, expected);

  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient probe(server.url());
  ASSERT_EQ(probe.SignIn("supervisor", kTestPassword).status, 200);
  const std::string subject = QueueSubjects(probe).at(0);

  std::map<std::string, ApiClient> clients;
  for (const char* role : {"researcher", "investigator", "supervisor", "admin"}) {
    clients.emplace(role, ApiClient(server.url()));
    ASSERT_EQ(clients.at(role).SignIn(role, kTestPassword).status, 200);
  }
  clients.emplace("station", ApiClient(server.url()));
  clients.at("station").UseBearer(station_token_);

  std::size_t refused = 0, allowed = 0;
  for (const auto& route : ExpectedRoutes()) {
    std::string path = route.pattern;
    const std::string param = path.find("/users/") != std::string::npos         ? "bob"
                              : path.find("/submissions/") != std::string::npos ? "1"
                                                                                : subject;
    if (auto at = path.find("([^/]+)"); at != std::string::npos) path.replace(at, 7, param);
    const std::string what = route.method + " " + path;
    // A body that fails validation where it can: authorisation is decided before validation.
    const json body = json::object();

    ApiClient anonymous(server.url());
    const auto unauthenticated = Call(anonymous, route.method, path, body);
    EXPECT_EQ(unauthenticated.status, 401) << what << ": " << unauthenticated.body;
    ExpectNoImage(unauthenticated, what);
    ApiClient forged(server.url());
    forged.UseBearer("hts_" + std::string(64, '0'));
    EXPECT_EQ(Call(forged, route.method, path, body).status, 401) << what << " with a forged token";

    for (auto& [role, client] : clients) {
      const auto reply = Call(client, route.method, path, body);
      ExpectNoImage(reply, what);
      if (route.roles.count(role)) {
        EXPECT_NE(reply.status, 401) << role << " " << what << ": " << reply.body;
        EXPECT_NE(reply.status, 403) << role << " " << what << ": " << reply.body;
        EXPECT_GT(reply.status, 0) << role << " " << what;
        ++allowed;
      } else {
        EXPECT_EQ(reply.status, 403) << role << " " << what << ": " << reply.body;
        ++refused;
      }
    }
  }
  // 30 routes x 5 roles: 38 role grants in the table above, the other 112 refused.
  EXPECT_EQ(allowed, 38u);
  EXPECT_EQ(refused, 112u);
  // Session endpoints: the station's token has no session; the anonymous have none either.
  ApiClient anonymous(server.url());
  EXPECT_EQ(anonymous.Get("/api/v1/session").status, 401);
  EXPECT_EQ(anonymous.Delete("/api/v1/session").status, 401);
  EXPECT_EQ(anonymous.Get("/api/v1/evidence/1/thumbnail").status, 404);
}

TEST_F(ServeTest, AChangeWithoutTheCsrfTokenIsRefusedAndStoresNothing) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient sue(server.url());
  ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
  sue.SetCsrf("");
  EXPECT_EQ(sue.Post("/api/v1/dip-sample", json::object()).status, 403);
  sue.SetCsrf(std::string(64, 'a'));
  EXPECT_EQ(sue.Post("/api/v1/dip-sample", json::object()).status, 403);
  sue.SetCsrf(std::nullopt);
  EXPECT_EQ(sue.Get("/api/v1/dip-sample").json()["draws"].size(), 0u);
  const auto drawn = sue.Post("/api/v1/dip-sample", json{{"size", 3}});
  EXPECT_EQ(drawn.status, 200) << drawn.body;
  EXPECT_EQ(sue.Get("/api/v1/dip-sample").json()["draws"].size(), 1u);
  // Signing out needs the token too.
  sue.SetCsrf("");
  EXPECT_EQ(sue.Delete("/api/v1/session").status, 403);
  sue.SetCsrf(std::nullopt);
  EXPECT_EQ(sue.Delete("/api/v1/session").status, 200);
  EXPECT_EQ(sue.Get("/api/v1/queue").status, 401);
}

TEST_F(ServeTest, IdleExpiredDisabledAndChangedAccountsSessionsAreRefused) {
  ServeProcess server(ServeArgs({"--session-idle-seconds", "2"}), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient idle(server.url());
  ASSERT_EQ(idle.SignIn("investigator", kTestPassword).status, 200);
  EXPECT_EQ(idle.Get("/api/v1/queue").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  EXPECT_EQ(idle.Get("/api/v1/queue").status, 401);

  ApiClient bob(server.url());
  ASSERT_EQ(bob.SignIn("bob", kTestPassword).status, 200);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 200);
  ASSERT_EQ(RunCommand(Bin() + " user disable bob --case " + ShellQuote(db_.url())).exit_code, 0);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 401);
  EXPECT_EQ(bob.SignIn("bob", kTestPassword).status, 401);
  ASSERT_EQ(RunCommand(Bin() + " user enable bob --case " + ShellQuote(db_.url())).exit_code, 0);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 401) << "enabling again does not revive the ended session";
  ASSERT_EQ(bob.SignIn("bob", kTestPassword).status, 200);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 200);
  // A role change ends the session too (the new role applies from the next sign-in).
  ASSERT_EQ(RunCommand(Bin() + " user role bob researcher --case " + ShellQuote(db_.url())).exit_code, 0);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 401);
  ASSERT_EQ(bob.SignIn("bob", kTestPassword).status, 200);
  EXPECT_EQ(bob.Get("/api/v1/queue").status, 403);
  // A disabled station's token stops working at once.
  ApiClient station(server.url());
  station.UseBearer(station_token_);
  EXPECT_EQ(station.Get("/api/v1/session").status, 200);
  ASSERT_EQ(RunCommand(Bin() + " user disable station1 --case " + ShellQuote(db_.url())).exit_code, 0);
  EXPECT_EQ(station.Get("/api/v1/session").status, 401);
}

TEST_F(ServeTest, RepeatedWrongPasswordsLockTheAccountAndFloodsAreThrottled) {
  {
    ServeProcess server(ServeArgs({"--sign-ins-per-minute", "100"}), dir_.path() / "serve.log");
    ASSERT_FALSE(server.url().empty());
    ApiClient guesser(server.url());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(guesser.SignIn("investigator", "wrong password " + std::to_string(i)).status, 401);
    // Locked: even the right password is refused, in the same words as a wrong one (a lockout does
    // not tell that the name exists); administrators see the lock.
    const auto locked = guesser.SignIn("investigator", kTestPassword);
    EXPECT_EQ(locked.status, 401);
    EXPECT_EQ(locked.body, guesser.SignIn("bob", "wrong password").body);
    const auto listed = RunCommand(Bin() + " user list --json --case " + ShellQuote(db_.url()));
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const json users = json::parse(listed.out);
    for (const auto& u : users["users"]) {
      EXPECT_EQ(u["state"], u["name"] == "investigator" ? "locked" : "active") << u.dump();
    }
    // An unknown name reads exactly like a wrong password.
    EXPECT_EQ(guesser.SignIn("nobody", kTestPassword).body, guesser.SignIn("bob", "wrong password").body);
    // The lockout was audited; an administrator's new password lifts it.
    ASSERT_EQ(RunCommand("printf '%s\\n' 'another long password' | " + Bin() + " user passwd investigator --case " +
                         ShellQuote(db_.url())).exit_code, 0);
    EXPECT_EQ(guesser.SignIn("investigator", "another long password").status, 200);
  }
  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(std::count_if(entries->begin(), entries->end(),
                          [](const engine::AuditEntry& e) { return e.details.value("action", "") == "user locked"; }),
            1);

  ServeProcess server(ServeArgs({"--sign-ins-per-minute", "3"}), dir_.path() / "serve2.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient flood(server.url());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(flood.SignIn("bob", "wrong " + std::to_string(i)).status, 401);
  EXPECT_EQ(flood.SignIn("bob", kTestPassword).status, 429);
}

TEST_F(ServeTest, TwoReviewersOfOneSubjectGetOneSuccessAndOneConflictNamingTheWinner) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient alice(server.url()), sue(server.url());
  ASSERT_EQ(alice.SignIn("investigator", kTestPassword).status, 200);
  ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
  const std::string subject = QueueSubjects(alice).at(0);
  ASSERT_EQ(alice.Post("/api/v1/subjects/" + subject + "/take", json::object()).status, 200);
  const std::string seen_by_alice = alice.Get("/api/v1/subjects/" + subject).json()["version"];
  const std::string seen_by_sue = sue.Get("/api/v1/subjects/" + subject).json()["version"];
  ASSERT_EQ(seen_by_alice, seen_by_sue);

  const auto first = sue.Post("/api/v1/subjects/" + subject + "/review",
                              {{"outcome", "keep"}, {"band", "high"}, {"reason", "dip-sample re-grade"}, {"version", seen_by_sue}});
  EXPECT_EQ(first.status, 200) << first.body;
  const auto second = alice.Post("/api/v1/subjects/" + subject + "/review",
                                 {{"outcome", "no-further-action"}, {"reason", "nothing new"}, {"version", seen_by_alice}});
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_NE(second.body.find("changed since you looked (the latest change to the case was by supervisor"),
            std::string::npos)
      << second.body;

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok());
  auto decisions = (*c)->queue().Decisions(subject);
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ(decisions->front().by, "supervisor");
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  const auto& last = entries->back();
  EXPECT_EQ(last.details.value("action", ""), "review");
  EXPECT_EQ(last.user, "supervisor");
  EXPECT_EQ(last.command, "serve: POST /api/v1/subjects/" + subject + "/review");
  EXPECT_TRUE(engine::VerifyAudit((*c)->audit()).intact);
}

// A change to one subject must not be refused because someone changed another at the same moment
// (every change also moves the audit log's head and the decision counter): four supervisors review
// four subjects at once, six times each; every review is stored, none is answered 409.
TEST_F(ServeTest, ReviewsOfDifferentSubjectsAtTheSameMomentAreAllStored) {
  for (int k = 1; k <= 4; ++k) AddPerson("sup" + std::to_string(k), "supervisor");
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient first(server.url());
  ASSERT_EQ(first.SignIn("sup1", kTestPassword).status, 200);
  const std::vector<std::string> subjects = QueueSubjects(first);
  ASSERT_GE(subjects.size(), 4u);
  constexpr int kRounds = 6;
  std::vector<std::vector<int>> statuses(4);
  std::vector<std::string> refusals(4);
  std::vector<std::thread> reviewers;
  for (int k = 0; k < 4; ++k) {
    reviewers.emplace_back([&, k] {
      ApiClient me(server.url());
      if (me.SignIn("sup" + std::to_string(k + 1), kTestPassword).status != 200) return;
      const std::string path = "/api/v1/subjects/" + subjects[k];
      for (int round = 0; round < kRounds; ++round) {
        const json view = me.Get(path).json();
        const auto reply = me.Post(path + "/review", {{"outcome", "keep"},
                                                      {"band", round % 2 ? "high" : "medium"},
                                                      {"reason", "re-grade " + std::to_string(round)},
                                                      {"version", view["version"]}});
        statuses[k].push_back(reply.status);
        if (reply.status != 200) refusals[k] = reply.body;
      }
    });
  }
  for (auto& t : reviewers) t.join();
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(statuses[k], std::vector<int>(kRounds, 200)) << "sup" << k + 1 << ": " << refusals[k];
  }
  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok());
  for (int k = 0; k < 4; ++k) {
    auto decisions = (*c)->queue().Decisions(subjects[k]);
    ASSERT_TRUE(decisions.ok());
    EXPECT_EQ(decisions->size(), static_cast<std::size_t>(kRounds)) << subjects[k];
  }
  EXPECT_TRUE(engine::VerifyAudit((*c)->audit()).intact);
}

// A researcher's manual link makes two subjects one (the merged one leaves the queue); the unlink
// separates them again and records that they are not to be merged automatically. Both audited.
TEST_F(ServeTest, AResearcherLinksAndUnlinksSubjectsWithAReason) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient researcher(server.url()), sue(server.url());
  ASSERT_EQ(researcher.SignIn("researcher", kTestPassword).status, 200);
  ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
  const std::vector<std::string> before = QueueSubjects(sue);
  ASSERT_GE(before.size(), 2u);
  const std::string a = before[0], b = before[1];
  EXPECT_EQ(researcher.Post("/api/v1/subjects/" + a + "/link", {{"with", b}}).status, 400);  // no reason
  const auto linked = researcher.Post("/api/v1/subjects/" + a + "/link", {{"with", b}, {"reason", "same phone seen in both"}});
  ASSERT_EQ(linked.status, 200) << linked.body;
  const std::string survivor = linked.json()["subject"];
  EXPECT_TRUE(survivor == a || survivor == b) << linked.body;
  const auto unlinked = researcher.Post("/api/v1/subjects/" + a + "/unlink", {{"with", b}, {"reason", "different people"}});
  ASSERT_EQ(unlinked.status, 200) << unlinked.body;
  EXPECT_TRUE(unlinked.json()["split"].get<bool>()) << unlinked.body;

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok());
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> actions;
  for (const auto& e : *entries) {
    if (e.user == "researcher") actions.push_back(e.details.value("action", ""));
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"subject link", "subject unlink"}));
  EXPECT_TRUE(engine::VerifyAudit((*c)->audit()).intact);
}

// The research worklist: every open subject whose assessment names an unknown attribute, in queue
// order; once a researcher records it (with its source), the task is gone from the list.
TEST_F(ServeTest, TheResearchListShowsOpenTasksUntilTheAttributeIsRecorded) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient researcher(server.url()), sue(server.url());
  ASSERT_EQ(researcher.SignIn("researcher", kTestPassword).status, 200);
  ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
  const auto tasks_of = [&](const std::string& subject) {
    std::set<std::string> attributes;
    const auto page = researcher.Get("/api/v1/research?limit=500");
    EXPECT_EQ(page.status, 200) << page.body;
    const json parsed = page.json();  // kept: a range-for over a temporary's member would dangle
    for (const auto& s : parsed["subjects"]) {
      if (s["subject"] != subject) continue;
      for (const auto& t : s["tasks"]) attributes.insert(t["attribute"].get<std::string>());
    }
    return attributes;
  };
  const auto first = researcher.Get("/api/v1/research?limit=500").json();
  // Ten subjects from referrals, none researched: each has tasks, in the queue's order.
  std::vector<std::string> listed;
  for (const auto& s : first["subjects"]) listed.push_back(s["subject"]);
  EXPECT_EQ(listed, QueueSubjects(sue));
  const std::string subject = listed.at(0);
  std::string access_task;
  for (const auto& t : first["subjects"][0]["tasks"]) {
    if (t["access_to_children"].get<bool>()) access_task = t["attribute"];
  }
  ASSERT_FALSE(access_task.empty()) << first.dump();
  EXPECT_EQ(tasks_of(subject).count(access_task), 1u);
  const auto recorded = researcher.Post("/api/v1/subjects/" + subject + "/attributes",
                                        {{"name", access_task}, {"value", "no"}, {"source", "council records"}});
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_EQ(tasks_of(subject).count(access_task), 0u);

  // The ranked research queue (as `hashtriage research`): the same tasks, access to children first,
  // ranked 1..n, the first `capacity` marked as today's; the recorded one is gone.
  std::set<std::pair<std::string, std::string>> listed_tasks;
  const json listed_now = researcher.Get("/api/v1/research?limit=500").json();
  for (const auto& s : listed_now["subjects"]) {
    for (const auto& t : s["tasks"]) listed_tasks.insert({s["subject"].get<std::string>(), t["attribute"].get<std::string>()});
  }
  const auto ranked_page = researcher.Get("/api/v1/research/ranked?limit=5000&capacity=3");
  ASSERT_EQ(ranked_page.status, 200) << ranked_page.body;
  const json ranked = ranked_page.json();
  std::set<std::pair<std::string, std::string>> ranked_tasks;
  bool seen_other = false;
  std::size_t rank = 0;
  for (const auto& t : ranked["tasks"]) {
    EXPECT_EQ(t["rank"], ++rank);
    EXPECT_EQ(t["today"], rank <= 3);
    const bool access = t["access_to_children"];
    EXPECT_FALSE(access && seen_other) << t.dump();  // no access task after another kind
    seen_other = seen_other || !access;
    ranked_tasks.insert({t["subject"].get<std::string>(), t["attribute"].get<std::string>()});
  }
  EXPECT_EQ(ranked["total"], listed_tasks.size());
  EXPECT_EQ(ranked_tasks, listed_tasks);
  EXPECT_EQ(ranked_tasks.count({subject, access_task}), 0u);
  const auto two = researcher.Get("/api/v1/research/ranked?limit=2").json();
  ASSERT_EQ(two["tasks"].size(), 2u);
  json second = ranked["tasks"][1];
  second["today"] = false;  // no capacity given
  EXPECT_EQ(two["tasks"][1], second);
}

TEST_F(ServeTest, AnInvestigatorReviewsOnlySubjectsTheyTookOrWereGiven) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient alice(server.url()), bob(server.url());
  ASSERT_EQ(alice.SignIn("investigator", kTestPassword).status, 200);
  ASSERT_EQ(bob.SignIn("bob", kTestPassword).status, 200);
  const std::string subject = QueueSubjects(bob).at(1);
  // Nobody's subject: an investigator takes it before deciding on it.
  const std::string unowned = alice.Get("/api/v1/subjects/" + subject).json()["version"];
  const auto not_taken = alice.Post("/api/v1/subjects/" + subject + "/review",
                                    {{"outcome", "no-further-action"}, {"reason", "r"}, {"version", unowned}});
  EXPECT_EQ(not_taken.status, 403) << not_taken.body;
  EXPECT_EQ(bob.Post("/api/v1/subjects/" + subject + "/take", json::object()).status, 200);
  EXPECT_EQ(alice.Post("/api/v1/subjects/" + subject + "/take", json::object()).status, 409);
  const std::string version = alice.Get("/api/v1/subjects/" + subject).json()["version"];
  const auto refused = alice.Post("/api/v1/subjects/" + subject + "/review",
                                  {{"outcome", "investigate"}, {"reason", "r"}, {"version", version}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  const auto give_away = bob.Post("/api/v1/subjects/" + subject + "/review",
                                  {{"outcome", "keep"}, {"reason", "r"}, {"assign", "investigator"}, {"version", version}});
  EXPECT_EQ(give_away.status, 403) << give_away.body;
  const auto own = bob.Post("/api/v1/subjects/" + subject + "/review",
                            {{"outcome", "investigate"}, {"reason", "r"}, {"version", version}});
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json()["decision"]["by"], "bob");
}

TEST_F(ServeTest, AKilledServerLosesNoAcknowledgedReviewAndARetryDuplicatesNone) {
  ApiClient reader("");
  std::vector<std::pair<std::string, std::string>> work;  // subject, version seen
  std::set<std::string> acknowledged;
  {
    ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
    ASSERT_FALSE(server.url().empty());
    ApiClient sue(server.url());
    ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
    for (const auto& s : QueueSubjects(sue)) work.push_back({s, sue.Get("/api/v1/subjects/" + s).json()["version"]});
    ASSERT_EQ(work.size(), 10u);
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      server.Kill();
    });
    for (const auto& [subject, version] : work) {
      const auto r = sue.Post("/api/v1/subjects/" + subject + "/review",
                              {{"outcome", "keep"}, {"band", "high"}, {"reason", "re-grade"}, {"version", version}});
      if (r.status == 200) acknowledged.insert(subject);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    killer.join();
  }
  EXPECT_LT(acknowledged.size(), work.size()) << "the server was killed before the reviews ended";
  ServeProcess again(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(again.url().empty());
  ApiClient sue(again.url());
  ASSERT_EQ(sue.SignIn("supervisor", kTestPassword).status, 200);
  // The client repeats every review it has no answer for, with the version it decided on.
  for (const auto& [subject, version] : work) {
    if (acknowledged.count(subject)) continue;
    const auto r = sue.Post("/api/v1/subjects/" + subject + "/review",
                            {{"outcome", "keep"}, {"band", "high"}, {"reason", "re-grade"}, {"version", version}});
    EXPECT_TRUE(r.status == 200 || r.status == 409) << r.body;
  }
  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok());
  for (const auto& [subject, version] : work) {
    auto decisions = (*c)->queue().Decisions(subject);
    ASSERT_TRUE(decisions.ok());
    EXPECT_EQ(decisions->size(), 1u) << subject;
  }
  EXPECT_TRUE(engine::VerifyAudit((*c)->audit()).intact);
}

TEST_F(ServeTest, PlainHttpOnlyOnLoopbackAndTlsFromCertificateFiles) {
  const auto refused = RunCommand(Bin() + " serve --listen 0.0.0.0:0 --case " + ShellQuote(db_.url()));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("plain HTTP is served only on a loopback address"), std::string::npos) << refused.err;
  const auto made = RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
                               Q(dir_.path() / "key.pem") + " -out " + Q(dir_.path() / "cert.pem") + " 2>&1");
  ASSERT_EQ(made.exit_code, 0) << made.out;
  ServeProcess server(ServeArgs({"--tls-cert", (dir_.path() / "cert.pem").string(), "--tls-key",
                                 (dir_.path() / "key.pem").string()}),
                      dir_.path() / "serve.log");
  ASSERT_EQ(server.url().rfind("https://127.0.0.1:", 0), 0u) << server.url();
  ApiClient alice(server.url());
  ASSERT_EQ(alice.SignIn("investigator", kTestPassword).status, 200);
  EXPECT_EQ(alice.Get("/api/v1/queue").json()["total"], 10);
  WriteText(dir_.path() / "bad.pem", "not a certificate\n");
  const auto bad = RunCommand(Bin() + " serve --listen 127.0.0.1:0 --tls-cert " + Q(dir_.path() / "bad.pem") +
                              " --tls-key " + Q(dir_.path() / "key.pem") + " --case " + ShellQuote(db_.url()));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("does not load"), std::string::npos) << bad.err;
}

TEST_F(ServeTest, ASubjectsHistoryShowsTheQueuesRecordAndWhoTookItAsTheAuditLogGrows) {
  ServeProcess server(ServeArgs(), dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ApiClient alice(server.url());
  ASSERT_EQ(alice.SignIn("investigator", kTestPassword).status, 200);
  const std::string subject = QueueSubjects(alice).at(0);
  auto events = [&]() {
    std::vector<std::string> out;
    const json view = alice.Get("/api/v1/subjects/" + subject).json();
    for (const auto& e : view["timeline"]) out.push_back(e["event"].get<std::string>());
    return out;
  };
  auto count = [](const std::vector<std::string>& all, const std::string& text) {
    return std::count(all.begin(), all.end(), text);
  };
  // The page read before the take indexes the log; the one after reads only what was added since.
  const auto before = events();
  EXPECT_EQ(count(before, "queue: entered the queue as Medium"), 1) << json(before).dump(1);
  ASSERT_EQ(alice.Post("/api/v1/subjects/" + subject + "/take", json::object()).status, 200);

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false});
  ASSERT_TRUE(c.ok());
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  const auto take = std::find_if(entries->begin(), entries->end(), [&](const engine::AuditEntry& e) {
    return e.details.value("action", "") == "take" && e.details.value("subject", "") == subject;
  });
  ASSERT_NE(take, entries->end());
  const std::string taken = "taken by investigator (audit entry " + std::to_string(take->seq) + ")";
  const auto after = events();
  EXPECT_EQ(count(before, taken), 0);
  EXPECT_EQ(count(after, taken), 1) << json(after).dump(1);
  EXPECT_EQ(after.size(), before.size() + 1);
}
}  // namespace
}  // namespace hashtriage::testing
