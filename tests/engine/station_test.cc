// Stations as workers: `scan --submit` stores on the server exactly the file records the station's
// own case holds (hashes, metadata, hits; no file contents), a second submission adds nothing, a
// station sees and feeds only its own submissions, a hostile (deeply nested) body is refused without
// harm, and a kill -9 of the station mid-submission or of
// the server mid-submission (restarted on the same address while the station retries) ends with every
// record stored once. The station's case is the independent truth: its records are compared field by
// field with the server's.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <random>
#include <thread>

#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/kv/evidence_json.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/engine/serve_test_support.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kPhotos = fs::path(HASHTRIAGE_TESTDATA_DIR) / "photos" / "opencv";

// The file records a scan of kPhotos gives: one per photo and one per embedded thumbnail, each counted
// by an independent tool (ls; exiftool).
int ExpectedRecords() {
  static const int records = [] {
    const auto files = RunCommand("ls " + Q(kPhotos) + " | wc -l");
    const auto thumbnails = RunCommand("exiftool -q -q -if '$ThumbnailImage' -p '$FileName' " + Q(kPhotos) + " | wc -l");
    return std::stoi(files.out) + std::stoi(thumbnails.out);
  }();
  return records;
}

class StationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    ASSERT_EQ(RunCommand(Bin() + " db migrate --case " + ShellQuote(db_.url())).exit_code, 0);
    for (const char* station : {"kiosk1", "kiosk2"}) {
      const auto added = RunCommand(Bin() + " user add " + station + " --role station --case " + ShellQuote(db_.url()));
      ASSERT_EQ(added.exit_code, 0) << added.err;
      std::smatch m;
      ASSERT_TRUE(std::regex_search(added.out, m, std::regex("hts_[0-9a-f]{64}")));
      WriteText(dir_.path() / (std::string(station) + ".token"), m.str() + "\n");
    }
    // The station's index: three of the photos, labelled with a test category.
    const auto md5s = RunCommand("cd " + Q(kPhotos) + " && ls | sort | head -3 | xargs md5sum");
    ASSERT_EQ(md5s.exit_code, 0);
    WriteText(dir_.path() / "known.md5", md5s.out);
    ASSERT_EQ(RunCommand(Bin() + " index import " + Q(dir_.path() / "known.md5") + " --format md5sum --set demo "
                         "--category B --index " + Q(dir_.path() / "index")).exit_code, 0);
    ASSERT_EQ(RunCommand(Bin() + " case init --case " + Q(local())).exit_code, 0);
  }

  fs::path local() const { return dir_.path() / "station-case"; }
  std::string Token(const std::string& station) const { return dir_.path() / (station + ".token"); }

  std::string ScanCommand(const std::string& url, const std::string& extra = "") const {
    return Bin() + " scan " + Q(kPhotos) + " --case " + Q(local()) + " --index " + Q(dir_.path() / "index") +
           " --submit " + url + " --token-file " + Q(Token("kiosk1")) + extra;
  }
  std::string SubmitCommand(const std::string& url) const {
    return Bin() + " submit --to " + url + " --case " + Q(local()) + " --token-file " + Q(Token("kiosk1")) +
           " --chunk 1";
  }

  // The file records of the station's evidence 1 and of the server's evidence `number`, as JSON
  // without the evidence number.
  static std::vector<json> Records(const std::string& location, std::uint32_t number) {
    auto c = engine::OpenCase({.location = location, .create_if_missing = false, .read_only = true});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::vector<json> out;
    if (!c.ok()) return out;
    EXPECT_TRUE((*c)->evidence().ForEachFile(number, false, [&](const engine::FileRecord& r) {
      json j = engine::kv::FileRecordToJson(r);
      j.erase("evidence");
      if (j.contains("query")) j["query"] = j["query"].get_binary();  // compared as bytes
      out.push_back(std::move(j));
      return true;
    }).ok());
    return out;
  }

  // How many records the server holds for kiosk1's first submission (-1: none begun).
  static long ServerRecords(const std::string& url, const std::string& token) {
    ApiClient station(url);
    station.UseBearer(token);
    const auto list = station.Get("/api/v1/station/submissions");
    const json parsed = list.json();
    if (list.status != 200 || !parsed.contains("submissions") || parsed["submissions"].empty()) return -1;
    return parsed["submissions"][0]["records"].get<long>();
  }

  std::string TokenText(const std::string& station) const {
    std::string t = RunCommand("cat " + Q(Token(station))).out;
    return t.substr(0, t.find('\n'));
  }

  TestDatabase db_;
  TempDir dir_;
};

TEST_F(StationTest, TheServerHoldsExactlyTheStationsRecordsAndASecondSubmissionAddsNothing) {
  ServeProcess server({"--case", db_.url(), "--index", (dir_.path() / "index").string()}, dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  const auto scanned = RunCommand(ScanCommand(server.url(), " --kiosk"));
  EXPECT_EQ(scanned.exit_code, 10) << scanned.err;  // known material found: the kiosk's verdict stands
  const std::string n = std::to_string(ExpectedRecords());
  EXPECT_NE(scanned.out.find("submitted evidence 1 as " + server.url() + " evidence 1: " + n + " file records on the server "
                             "(" + n + " sent now)"),
            std::string::npos)
      << scanned.out;
  const auto station_records = Records(local().string(), 1);
  ASSERT_EQ(station_records.size(), static_cast<std::size_t>(ExpectedRecords()));
  EXPECT_EQ(Records(db_.url(), 1), station_records);

  const auto again = RunCommand(SubmitCommand(server.url()));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("(0 sent now), already complete there"), std::string::npos) << again.out;
  EXPECT_EQ(Records(db_.url(), 1).size(), static_cast<std::size_t>(ExpectedRecords()));

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false, .read_only = true});
  ASSERT_TRUE(c.ok());
  auto e = (*c)->evidence().Get(1);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->submitted_by, "kiosk1");
  EXPECT_EQ((*e)->status, engine::EvidenceStatus::kComplete);
  EXPECT_EQ((*e)->counts.files, 33u);  // the photos; their thumbnails are counted apart
  EXPECT_EQ((*e)->counts.thumbnails, static_cast<std::uint64_t>(ExpectedRecords() - 33));
  EXPECT_EQ((*e)->counts.files_with_hits, 3u);
  EXPECT_EQ((*e)->counts.by_category[static_cast<int>(index::Category::kB)].exact, 3u);

  // Another station sees none of it and cannot add to it.
  ApiClient kiosk2(server.url());
  kiosk2.UseBearer(TokenText("kiosk2"));
  EXPECT_EQ(kiosk2.Get("/api/v1/station/submissions").json()["submissions"].size(), 0u);
  EXPECT_EQ(kiosk2.Post("/api/v1/station/submissions/1/files", json{{"records", json::array()}}).status, 403);
  EXPECT_EQ(ServerRecords(server.url(), TokenText("kiosk1")), ExpectedRecords());
}

TEST_F(StationTest, AHostileBodyIsRefusedAndTheServerStaysUp) {
  ServeProcess server({"--case", db_.url(), "--index", (dir_.path() / "index").string()}, dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  httplib::Client client(server.url());
  client.set_bearer_token_auth(TokenText("kiosk1").c_str());
  // 200,000 nested CBOR arrays (0x81: an array of one element): a recursive reader would overflow its stack.
  const std::string nested(200000, '\x81');
  for (const char* path : {"/api/v1/station/submissions", "/api/v1/station/submissions/1/files"}) {
    auto reply = client.Post(path, nested, "application/cbor");
    ASSERT_TRUE(reply) << path << ": no answer (the server died?)";
    EXPECT_EQ(reply->status, 400) << path << ": " << reply->body;
  }
  // CBOR is taken only on the station routes: elsewhere the same bytes are not JSON either.
  ApiClient station(server.url());
  station.UseBearer(TokenText("kiosk1"));
  EXPECT_EQ(station.Get("/api/v1/station/submissions").status, 200);
  auto health = client.Get("/api/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(StationTest, AStationKilledMidSubmissionResumesWithoutDuplicates) {
  ServeProcess server({"--case", db_.url(), "--index", (dir_.path() / "index").string()}, dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  ASSERT_EQ(RunCommand(Bin() + " scan " + Q(kPhotos) + " --case " + Q(local()) + " --index " +
                       Q(dir_.path() / "index")).exit_code, 10);
  // The station (the test driver: hashtriage with crash points) kills itself (SIGKILL) right after the
  // server accepted its n-th record, n drawn at random.
  std::mt19937 rng(std::random_device{}());
  const int kill_after = 5 + static_cast<int>(rng() % 25);
  SCOPED_TRACE("killed after record " + std::to_string(kill_after));
  std::string killed = SubmitCommand(server.url());
  killed.replace(0, Bin().size(), "HASHTRIAGE_TEST_KILL_AFTER_CHUNK=" + std::to_string(kill_after) + " " + DriverBin());
  const auto died = RunCommand(killed);
  ASSERT_EQ(died.exit_code, 128 + SIGKILL) << "the station was not killed: " << died.out << died.err;
  const long at_kill = ServerRecords(server.url(), TokenText("kiosk1"));
  EXPECT_EQ(at_kill, kill_after);

  const auto resumed = RunCommand(SubmitCommand(server.url()));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find(std::to_string(ExpectedRecords()) + " file records on the server (" +
                             std::to_string(ExpectedRecords() - at_kill) + " sent now)"),
            std::string::npos)
      << resumed.out;
  EXPECT_EQ(Records(db_.url(), 1), Records(local().string(), 1));
}

TEST_F(StationTest, AServerKilledMidSubmissionAndRestartedLosesAndDuplicatesNothing) {
  const std::string listen = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  const std::vector<std::string> args = {"--case", db_.url(), "--index", (dir_.path() / "index").string()};
  auto server = std::make_unique<ServeProcess>(args, dir_.path() / "serve.log", listen);
  ASSERT_FALSE(server->url().empty());
  const std::string url = server->url();
  ASSERT_EQ(RunCommand(Bin() + " scan " + Q(kPhotos) + " --case " + Q(local()) + " --index " +
                       Q(dir_.path() / "index")).exit_code, 10);
  CommandResult submitted;
  // The station (the test driver) pauses 3 s after the server accepted its n-th record (n drawn at
  // random): the server is killed then, mid-submission, and started again on the same port.
  std::mt19937 rng(std::random_device{}());
  const long pause_after = 5 + static_cast<long>(rng() % 25);
  SCOPED_TRACE("server killed after record " + std::to_string(pause_after));
  std::string paused = SubmitCommand(url);
  paused.replace(0, Bin().size(), "HASHTRIAGE_TEST_PAUSE_AFTER_CHUNK=" + std::to_string(pause_after) + " " + DriverBin());
  std::thread station([&] { submitted = RunCommand(paused); });
  long held = -1;
  for (int i = 0; i < 20000 && held < pause_after; ++i) {
    held = ServerRecords(url, TokenText("kiosk1"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server->Kill();
  const auto at_kill = Records(db_.url(), 1).size();
  EXPECT_EQ(at_kill, static_cast<std::size_t>(pause_after));
  // Down longer than the station's pause: its next request meets no server, and it retries.
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  server = std::make_unique<ServeProcess>(args, dir_.path() / "serve.log", listen);
  ASSERT_EQ(server->url(), url);
  station.join();
  EXPECT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_NE(submitted.out.find(std::to_string(ExpectedRecords()) + " file records on the server"), std::string::npos)
      << submitted.out;
  EXPECT_EQ(Records(db_.url(), 1), Records(local().string(), 1));
}

// "Intake can submit the same way": a station sends a referral file as it came; the server ingests it
// (its case, its index, under the station's name). Sent again — as after a lost answer — it stores
// nothing twice. A bad record is reported back and never stops the others.
TEST_F(StationTest, AReferralFileSubmittedTwiceIsIngestedByTheServerOnce) {
  ServeProcess server({"--case", db_.url(), "--index", (dir_.path() / "index").string()}, dir_.path() / "serve.log");
  ASSERT_FALSE(server.url().empty());
  std::ifstream known(dir_.path() / "known.md5");
  std::string known_md5;
  known >> known_md5;
  ASSERT_EQ(known_md5.size(), 32u);
  ReportSpec with_hit{.id = "TIP-1", .account = "acct-1", .emails = {"one@example.org"}, .md5s = {known_md5}};
  ReportSpec plain{.id = "TIP-2", .account = "acct-2", .emails = {"two@example.org"}};
  const auto file = dir_.path() / "tips.jsonl";
  WriteJsonLines(file, {CybertipReport(with_hit), CybertipReport(plain)});
  {
    std::ofstream append(file, std::ios::app);
    append << "{\"reportId\": \"TIP-3\", \"broken\n";  // a record no parser accepts
  }
  const std::string submit = Bin() + " intake " + Q(file) + " --submit " + server.url() + " --token-file " + Q(Token("kiosk1"));
  const auto first = RunCommand(submit);
  EXPECT_EQ(first.exit_code, 1) << first.err;  // one bad record
  EXPECT_NE(first.out.find("2 referrals stored, 0 already ingested, 1 bad, 2 new subjects, 1 files known to the index"),
            std::string::npos)
      << first.out << first.err;
  EXPECT_NE(first.err.find("record 3 (line 3)"), std::string::npos) << first.err;
  const auto again = RunCommand(submit);
  EXPECT_NE(again.out.find("0 referrals stored, 2 already ingested, 1 bad, 0 new subjects"), std::string::npos)
      << again.out << again.err;

  auto c = engine::OpenCase({.location = db_.url(), .create_if_missing = false, .read_only = true});
  ASSERT_TRUE(c.ok());
  std::vector<std::string> ids;
  ASSERT_TRUE((*c)->referrals().ForEach([&](const engine::ReferralRecord& r) {
    ids.push_back(r.id);
    return true;
  }).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"cybertip:TIP-1", "cybertip:TIP-2"}));
  auto entries = (*c)->audit().Entries();
  ASSERT_TRUE(entries.ok());
  std::size_t intakes = 0, batches = 0;
  for (const auto& e : *entries) {
    const std::string action = e.details.value("action", "");
    intakes += action == "intake";
    batches += action == "intake batch";
    // The batch that stored the referrals and each run's summary name the station, not the server's user.
    if (action.starts_with("intake")) {
      EXPECT_EQ(e.user, "kiosk1") << action;
    }
  }
  EXPECT_EQ(intakes, 2u);
  EXPECT_EQ(batches, 1u);  // only stations send files: ServeTest's role x endpoint table covers the others
}

}  // namespace
}  // namespace hashtriage::testing
