// The team's browser UI in a real browser: Debian's chromium, driven headless through chromedriver,
// against `hashtriage serve` on a real PostgreSQL. Each role signs in and sees its name, its role and only
// its pages; a researcher records "lives with children: yes" for a Medium subject and sees it move to High
// with the factor shown (checked again with the command line); an investigator works the queue (filters,
// take, review) and a stale page shows the conflict instead of overwriting; a supervisor draws the
// dip-sample, re-grades and assigns a sampled subject, reads the outcome and the report over a period,
// reads the forecast chart, whose numbers are those of `hashtriage forecast --json`, and sees a kiosk
// station's verdict; an admin sees users and index sets and changes a role (the person's session ends);
// a station cannot open the queue or a subject; no page loads an image
// or anything from another host; axe-core finds no serious or critical accessibility violation. Each
// page's screenshot is saved under build/<preset>/ui-screenshots/.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "tests/engine/browser_test_support.h"
#include "tests/engine/postgres_test_support.h"
#include "tests/engine/serve_test_support.h"
#include "tests/engine/subjects_test_util.h"

namespace hashtriage::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kNow = "2026-12-01T09:00:00Z";

fs::path ScreenshotDir() { return fs::path(HASHTRIAGE_BINARY_DIR) / "ui-screenshots"; }

// axe-core (npm registry, installed by scripts/install-deps into build/npm); "" when missing.
std::string AxeSource() {
  std::ifstream in(fs::path(HASHTRIAGE_SOURCE_DIR) / "build/npm/node_modules/axe-core/axe.min.js");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class UiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(db_.url().empty());
    ASSERT_EQ(Ht("db migrate").exit_code, 0);
    for (const char* role : {"researcher", "investigator", "supervisor", "admin"}) {
      const auto added = RunCommand("printf '%s\\n' " + ShellQuote(kTestPassword) + " | " + Bin() + " user add " + role +
                                    " --role " + role + " --case " + ShellQuote(db_.url()));
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    const auto station = Ht("user add station1 --role station");
    ASSERT_EQ(station.exit_code, 0) << station.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(station.out, m, std::regex("hts_[0-9a-f]{64}")));
    station_token_ = m.str();
    // P2P observations of benign test photos labelled as known: the collector offers three Category A
    // pictures and two Category C, the bystander one C.
    const auto faces = TestDataDir() / "photos" / "gnome-faces";
    std::vector<std::pair<std::string, index::Category>> known;
    for (const char* a : {"astronaut.jpg", "bicycle.jpg", "book.jpg"}) known.push_back({Md5Of(faces / a), index::Category::kA});
    for (const char* c : {"calculator.jpg", "cat.jpg"}) known.push_back({Md5Of(faces / c), index::Category::kC});
    BuildIndex(dir_.path() / "index", "test-known", known);
    std::string csv = "observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n";
    int n = 0;
    for (const auto& [guid, photo] : std::vector<std::pair<std::string, std::string>>{
             {"GUID-COLLECTOR", "astronaut.jpg"}, {"GUID-COLLECTOR", "bicycle.jpg"}, {"GUID-COLLECTOR", "book.jpg"},
             {"GUID-COLLECTOR", "calculator.jpg"}, {"GUID-COLLECTOR", "cat.jpg"}, {"GUID-BYSTANDER", "cat.jpg"}}) {
      csv += std::string("2026-11-30T10:00:00Z,gnutella,") + guid + ",192.0.2." + std::to_string(10 + ++n) + ",6346," +
             photo + "," + Md5Of(faces / photo) + ",,1000\n";
    }
    WriteText(dir_.path() / "p2p.csv", csv);
    const auto intake = Ht("intake " + Q(dir_.path() / "p2p.csv") + " --index " + Q(dir_.path() / "index") + " --now " + kNow);
    ASSERT_EQ(intake.exit_code, 0) << intake.err;
    const json queue = json::parse(Ht("queue --json").out);
    for (const auto& s : queue["subjects"]) {
      const std::string name = s["display_name"];
      if (name.find("collector") != std::string::npos) collector_ = s["subject"];
      if (name.find("bystander") != std::string::npos) bystander_ = s["subject"];
    }
    ASSERT_FALSE(collector_.empty() || bystander_.empty()) << queue.dump(1);
    // A prior record makes the collector Medium; access to children is still unknown (a research task).
    ASSERT_EQ(Ht("subject attr set " + collector_ + " prior_criminal_history yes --source PNC --by 'DC Ash'").exit_code, 0);
    ASSERT_EQ(Band(collector_), "medium");
    server_ = std::make_unique<ServeProcess>(
        std::vector<std::string>{"--case", db_.url(), "--index", (dir_.path() / "index").string()}, dir_.path() / "serve.log");
    ASSERT_FALSE(server_->url().empty());
  }

  CommandResult Ht(const std::string& args) { return RunCommand(Bin() + " " + args + " --case " + ShellQuote(db_.url())); }
  // The subject's row in `hashtriage queue --json` (null when it is not in the open queue).
  json QueueRow(const std::string& subject) {
    const json queue = json::parse(Ht("queue --json").out);
    for (const auto& s : queue["subjects"]) {
      if (s["subject"] == subject) return s;
    }
    return nullptr;
  }
  std::string Owner(const std::string& subject) {
    const json row = QueueRow(subject);
    return row.is_null() ? "" : row["owner"].get<std::string>();
  }
  std::string Band(const std::string& subject) {
    const json row = QueueRow(subject);
    return row.is_null() ? "" : row["band"].get<std::string>();
  }

  void SignIn(Browser& b, const std::string& name) {
    b.Open(server_->url() + "/#/login");
    b.Type("#login-name", name);
    b.Type("#login-password", kTestPassword);
    b.Click("#login-submit");
    ASSERT_TRUE(b.WaitFor("return (document.querySelector('#signed-in-user') || {}).textContent === '" + name + "';"))
        << name << " did not sign in";
  }
  // The page is settled: no request in flight and the main region shows more than "Loading".
  bool Settled(Browser& b, const std::string& css) {
    if (b.WaitFor("return document.querySelector(\"" + css + "\") !== null;")) return true;
    ADD_FAILURE() << css << " never appeared; the page shows: "
                  << b.Run("return document.querySelector('main').innerText + ' | errors: ' + (window.__errors || []).join('; ');").dump();
    return false;
  }
  // Opens `url` again every half second until `condition` holds (the server's queue view is rebuilt
  // every few seconds, so a change shows on a page opened after it).
  bool ReloadUntil(Browser& b, const std::string& url, const std::string& condition) {
    b.Open(url);
    for (int i = 0; i < 30; ++i) {
      if (b.WaitFor(condition, std::chrono::milliseconds(500))) return true;
      b.Run("location.reload(); return true;");
    }
    return false;
  }
  // Nothing but this server's own script, style sheet and API answers was loaded; no image at all.
  void ExpectNothingForeignAndNoImage(Browser& b, const std::string& page) {
    const json loaded = b.Run(
        "return performance.getEntriesByType('resource').map(e => [e.initiatorType, e.name]);");
    ASSERT_TRUE(loaded.is_array()) << loaded.dump();
    for (const auto& entry : loaded) {
      const std::string type = entry[0], url = entry[1];
      EXPECT_EQ(url.rfind(server_->url() + "/", 0), 0u) << page << " loaded " << url;
      EXPECT_TRUE(type == "script" || type == "link" || type == "fetch") << page << " loaded " << type << " " << url;
    }
    EXPECT_EQ(b.Run("return document.images.length + document.querySelectorAll('picture,video,canvas,object,embed,iframe').length;"), 0)
        << page;
  }
  // axe-core's serious and critical violations on the page (it must be installed: scripts/install-deps).
  void ExpectAccessible(Browser& b, const std::string& page) {
    static const std::string axe = AxeSource();
    ASSERT_FALSE(axe.empty()) << "axe-core is missing: run scripts/install-deps";
    b.Run(axe + "\nreturn true;");
    b.Run("window.__axe = null; axe.run(document, {resultTypes: ['violations']}).then(r => { window.__axe = r; });");
    ASSERT_TRUE(b.WaitFor("return window.__axe !== null;", std::chrono::seconds(30))) << page;
    const json bad = b.Run(
        "return window.__axe.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')');");
    EXPECT_EQ(bad, json::array()) << page;
  }
  void Capture(Browser& b, const std::string& name) {
    // No value the page failed to render ("null", "undefined", "NaN", "[object Object]").
    EXPECT_EQ(b.Run("return (document.body.innerText.match(/\\b(null|undefined|NaN)\\b|\\[object Object\\]/) || [''])[0];"), "")
        << name << ": " << b.Run("return document.querySelector('main').innerText;").dump();
    // The page fits the window's width (1280 wide here; the queue is also checked at 1920).
    EXPECT_EQ(b.Run("return document.documentElement.scrollWidth <= window.innerWidth;"), true)
        << name << ": " << b.Run("return [document.documentElement.scrollWidth, window.innerWidth];").dump();
    ExpectNothingForeignAndNoImage(b, name);
    ExpectAccessible(b, name);
    b.Screenshot(ScreenshotDir() / (name + ".png"));
  }

  TestDatabase db_;
  TempDir dir_;
  std::string station_token_, collector_, bystander_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(UiTest, EachRoleSeesItsNameRoleAndOnlyItsPages) {
  const std::map<std::string, std::vector<std::string>> pages = {
      {"researcher", {"Research"}},
      {"investigator", {"Queue"}},
      {"supervisor", {"Queue", "Research", "Dip-sample", "Forecast", "Stations"}},
      {"admin", {"Admin"}},
  };
  for (const auto& [role, expected] : pages) {
    Browser b;
    ASSERT_TRUE(b.ok());
    SignIn(b, role);
    EXPECT_EQ(b.Text("#signed-in-role"), role);
    const json nav = b.Run("return [...document.querySelectorAll('#nav a')].map(a => a.textContent);");
    EXPECT_EQ(nav, json(expected)) << role;
    ASSERT_TRUE(Settled(b, "main h1"));
    Capture(b, "home-" + role);
    // A page the role may not open says so; its data is refused by the server all the same.
    if (role == "researcher" || role == "admin") {
      b.Open(server_->url() + "/#/queue");
      EXPECT_TRUE(b.WaitFor("return document.querySelector('main .error')?.textContent.includes('may not');")) << role;
    }
  }
  // The login page itself, and a wrong password.
  Browser b;
  b.Open(server_->url() + "/");
  ASSERT_TRUE(Settled(b, "#login-form"));
  Capture(b, "login");
  b.Type("#login-name", "investigator");
  b.Type("#login-password", "wrong");
  b.Click("#login-submit");
  EXPECT_TRUE(b.WaitFor("return document.querySelector('#login-form .error') !== null;"));
  // A station has no password: it cannot sign in, and its token opens neither the queue nor a subject.
  b.Type("#login-name", "station1");
  b.Type("#login-password", kTestPassword);
  b.Click("#login-submit");
  EXPECT_TRUE(b.WaitFor("return document.querySelector('#login-form .error') !== null;"));
  ApiClient station(server_->url());
  station.UseBearer(station_token_);
  EXPECT_EQ(station.Get("/api/v1/queue").status, 403);
  EXPECT_EQ(station.Get("/api/v1/subjects/" + collector_).status, 403);
}

TEST_F(UiTest, ARecordedFindingMovesAMediumSubjectToHighWithTheFactorShown) {
  Browser b;
  ASSERT_TRUE(b.ok());
  SignIn(b, "researcher");
  b.Open(server_->url() + "/#/research");
  ASSERT_TRUE(b.WaitFor("return [...document.querySelectorAll('main a')].some(a => a.textContent === '" + collector_ + "');"));
  // The research queue's order: its first row is an access-to-children task, ranked 1.
  EXPECT_EQ(b.Run("const r = document.querySelector('main tbody tr'); return r.cells[0].textContent + ' ' + "
                  "r.cells[4].textContent.endsWith('(access to children)');"),
            "1 true");
  Capture(b, "research");
  b.Open(server_->url() + "/#/subject/" + collector_);
  const std::string form = "form.research-task[data-attribute='lives_with_children']";
  ASSERT_TRUE(Settled(b, form));
  Capture(b, "subject-before");
  // The form says what to fix when the source is missing, and stores nothing.
  b.Click(form + " button[type=submit]");
  EXPECT_TRUE(b.WaitFor("return document.querySelector(\"" + form + " .error\") !== null;"));
  EXPECT_EQ(Band(collector_), "medium");
  b.Run("const s = document.querySelector(\"" + form + " select\"); s.value = 'yes'; return true;");
  b.Type(form + " input[name=source]", "council tax: two children at the address");
  b.Click(form + " button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .notice')?.textContent.includes('Medium → High');"))
      << b.Run("return document.querySelector('main').innerText;").dump();
  EXPECT_TRUE(b.WaitFor("return [...document.querySelectorAll('#factors td')].some(td => td.textContent === 'Lives with children');"));
  EXPECT_EQ(b.Run("return [...document.querySelectorAll('#factors tr')].find(tr => tr.cells[0].textContent === 'Lives with children').cells[2].textContent;"),
            "+25");
  EXPECT_EQ(Band(collector_), "high");  // the command line reads the same case
  Capture(b, "subject-after");
}

TEST_F(UiTest, AnInvestigatorWorksTheQueueAndAStalePageShowsTheConflict) {
  Browser b;
  ASSERT_TRUE(b.ok());
  SignIn(b, "investigator");
  ASSERT_TRUE(Settled(b, "#queue tbody tr"));
  EXPECT_EQ(b.Run("return document.querySelectorAll('#queue tbody tr').length;"), 2);
  // Both are Medium (access to children unknown keeps them there): the band counts say so.
  EXPECT_EQ(b.Run("return [...document.querySelectorAll('#band-counts a')].map(a => a.textContent);"),
            json::array({"0 subjects", "0 subjects", "2 subjects", "0 subjects"}));
  // Each row says what is unknown and how likely High it would be once known (as `hashtriage queue`).
  EXPECT_EQ(b.Run("return [...document.querySelectorAll('#queue tbody tr')].map(r => "
                  "/^\\d+% likely High once known: .*Lives with children \\+25 \\(30% had it\\)/.test("
                  "r.querySelector('.outlook')?.textContent || ''));"),
            json::array({true, true}))
      << b.Run("return document.querySelector('#queue').innerText;").dump();
  Capture(b, "queue");
  // Printed, the queue keeps its table and drops the controls (header, filters, paging, take buttons).
  b.EmulateMedia("print");
  EXPECT_EQ(b.Run("return ['header.top', 'form.filters', '.pager', 'td.actions'].map(s => getComputedStyle(document.querySelector(s)).display);"),
            json::array({"none", "none", "none", "none"}));
  EXPECT_EQ(b.Run("return getComputedStyle(document.querySelector('#queue')).display;"), "table");
  b.Screenshot(ScreenshotDir() / "queue-print.png");
  b.EmulateMedia("");
  EXPECT_EQ(b.Run("return getComputedStyle(document.querySelector('form.filters')).display;"), "block");
  b.Open(server_->url() + "/#/queue?band=high");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .pager span')?.textContent === 'no subjects';"));
  // Nothing is flagged for review yet: the status filter shows none, and its control says which it shows.
  b.Open(server_->url() + "/#/queue?status=flagged");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .pager span')?.textContent === 'no subjects' && "
                        "document.querySelector('#filter-status').value === 'flagged';"));
  b.Open(server_->url() + "/#/queue?band=medium&sort=score");
  ASSERT_TRUE(b.WaitFor("return document.querySelectorAll('#queue tbody tr').length === 2 && "
                        "document.querySelector('#queue tbody tr').dataset.subject === '" + collector_ + "';"));
  b.Click("#queue tbody tr[data-subject='" + collector_ + "'] button.take");
  ASSERT_TRUE(b.WaitFor("return document.querySelector(\"#queue tbody tr[data-subject='" + collector_ +
                        "'] td:nth-child(9)\")?.textContent === 'investigator';"));
  ASSERT_TRUE(ReloadUntil(b, server_->url() + "/#/queue?mine=1",
                          "return document.querySelectorAll('#queue tbody tr').length === 1;"));
  // The subject page, then a researcher's change elsewhere: the review made on the old page is refused.
  b.Open(server_->url() + "/#/subject/" + collector_);
  ASSERT_TRUE(Settled(b, "#review-form"));
  ApiClient researcher(server_->url());
  ASSERT_EQ(researcher.SignIn("researcher", kTestPassword).status, 200);
  ASSERT_EQ(researcher.Post("/api/v1/subjects/" + collector_ + "/attributes",
                            {{"name", "works_with_children"}, {"value", "yes"}, {"source", "employer check: school caretaker"}}).status, 200);
  b.Run("document.querySelector('#review-outcome').value = 'investigate'; return true;");
  b.Type("#review-reason", "priority visit");
  b.Click("#review-form button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('#review-result .error')?.textContent.includes('changed since you looked');"));
  Capture(b, "subject-conflict");
  EXPECT_FALSE(Band(collector_).empty());  // still open: nothing was recorded
  b.Click("#review-reload");
  // The page as it is now (the old form, with its conflict message, is gone).
  ASSERT_TRUE(b.WaitFor("return document.querySelector('#review-result .error') === null && "
                        "document.querySelector('#review-form') !== null;"));
  b.Run("document.querySelector('#review-outcome').value = 'investigate'; return true;");
  b.Type("#review-reason", "priority visit");
  b.Click("#review-form button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .notice')?.textContent.includes('recorded: investigate');"));
  EXPECT_EQ(Band(collector_), "");  // closed: no longer in the open queue
  // The subject's history shows the decision, who made it and why, after the researcher's findings.
  EXPECT_TRUE(b.WaitFor("return [...document.querySelectorAll('main td')].some(td => td.textContent === "
                        "'decision 1 by investigator: investigate: priority visit');"))
      << b.Run("return document.querySelector('main').innerText;").dump();
  // ...and, from the queue's record and the audit log, who took it and the band change the finding made.
  EXPECT_TRUE(b.WaitFor("return [...document.querySelectorAll('main td')].some(td => "
                        "td.textContent.startsWith('taken by investigator (audit entry '));"));
  EXPECT_TRUE(b.WaitFor("return [...document.querySelectorAll('main td')].some(td => "
                        "td.textContent.startsWith('queue: ') && td.textContent.includes('Medium -> High'));"))
      << b.Run("return document.querySelector('main').innerText;").dump();
}

TEST_F(UiTest, TheSupervisorDrawsTheDipSampleAndTheForecastChartShowsTheCommandLinesNumbers) {
  Browser b;
  ASSERT_TRUE(b.ok());
  SignIn(b, "supervisor");
  b.Open(server_->url() + "/#/dip-sample");
  ASSERT_TRUE(Settled(b, "#dip-draw"));
  b.Click("#dip-draw button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelectorAll('main table tbody tr').length === 2;"));  // both are Medium/Low
  // The outcome of a sampled subject is the supervisor's review of it; the sample shows it per item.
  b.Open(server_->url() + "/#/subject/" + collector_);
  ASSERT_TRUE(Settled(b, "#review-form"));
  b.Run("document.querySelector('#review-outcome').value = 'keep'; document.querySelector('#review-band').value = 'high'; return true;");
  b.Type("#review-reason", "dip-sample: file names suggest production");
  b.Type("#review-assign", "investigator");
  b.Click("#review-form button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .notice')?.textContent.includes('recorded: keep');"));
  b.Open(server_->url() + "/#/dip-sample");
  ASSERT_TRUE(b.WaitFor("return [...document.querySelectorAll('main table tbody tr')].some(tr => tr.cells[0].textContent === '" +
                        collector_ + "' && tr.cells[3].textContent === 're-graded up to High');"))
      << b.Run("return document.querySelector('main').innerText;").dump();
  EXPECT_TRUE(b.WaitFor("return document.querySelector('main p')?.parentElement.innerText.includes('Reviewed 1 of 2');"));
  EXPECT_EQ(Owner(collector_), "investigator");  // assigned by the supervisor's review
  // The report over a period that holds today.
  b.Run("document.querySelector('#report-from').value = '2026-01-01'; return true;");
  b.Click("#dip-report button[type=submit]");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('#dip-report-total')?.textContent.startsWith('1 draw(s): 2 sampled, 1 reviewed, re-graded up 1');"))
      << b.Run("return document.querySelector('main').innerText;").dump();
  Capture(b, "dip-sample");
  b.Open(server_->url() + "/#/forecast?capacity=1&days=30");
  ASSERT_TRUE(Settled(b, "#forecast-chart text[data-series]"));
  Capture(b, "forecast");
  const json shown = b.Run(
      "return [...document.querySelectorAll('#forecast-chart text[data-series]')].map(t => [t.dataset.band, t.dataset.series, Number(t.textContent)]);");
  const auto cli = Ht("forecast --json --capacity 1/day --days 30");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  json expected = json::array();
  const json forecast = json::parse(cli.out);
  for (const auto& band : forecast["bands"]) {
    for (const char* series : {"arriving", "worked", "breaches"}) expected.push_back({band["band"], series, band[series]});
  }
  EXPECT_EQ(shown, expected);
  // A kiosk station scans a phone holding one known picture and submits its records.
  fs::create_directories(dir_.path() / "phone/DCIM");
  fs::copy_file(TestDataDir() / "photos/gnome-faces/astronaut.jpg", dir_.path() / "phone/DCIM/IMG_0001.jpg");
  WriteText(dir_.path() / "station.token", station_token_ + "\n");
  const auto scanned = RunCommand(Bin() + " scan --kiosk --case " + Q(dir_.path() / "station-case") + " --index " +
                                  Q(dir_.path() / "index") + " --submit " + server_->url() + " --token-file " +
                                  Q(dir_.path() / "station.token") + " " + Q(dir_.path() / "phone"));
  ASSERT_EQ(scanned.exit_code, 10) << scanned.err;
  b.Open(server_->url() + "/#/stations");
  ASSERT_TRUE(b.WaitFor("const r = document.querySelector('main tbody tr'); return r && r.cells[0].textContent === 'station1' && "
                        "r.cells[2].textContent === 'known material: refer' && r.cells[3].textContent === 'A 1';"))
      << b.Run("return document.querySelector('main').innerText;").dump();
  Capture(b, "stations");
  // The queue at 1920x1080 as well.
  Browser wide(1920, 1080);
  ASSERT_TRUE(wide.ok());
  SignIn(wide, "supervisor");
  ASSERT_TRUE(Settled(wide, "#queue tbody tr"));
  Capture(wide, "queue-1920x1080");
}

TEST_F(UiTest, AnAdminSeesUsersAndIndexSets) {
  Browser b;
  ASSERT_TRUE(b.ok());
  SignIn(b, "admin");
  ASSERT_TRUE(b.WaitFor("return [...document.querySelectorAll('main td')].some(td => td.textContent === 'test-known');"));
  Capture(b, "admin");
  // A role change, stored and audited as `user role` stores it; the person's session ends.
  ApiClient researcher(server_->url());
  ASSERT_EQ(researcher.SignIn("researcher", kTestPassword).status, 200);
  b.Run("const s = document.querySelector(\"select.user-role[data-user='researcher']\"); s.value = 'investigator'; "
        "s.dispatchEvent(new Event('change')); return true;");
  ASSERT_TRUE(b.WaitFor("return document.querySelector('main .notice')?.textContent.startsWith('researcher is now investigator');"));
  EXPECT_NE(Ht("user list").out.find("investigator"), std::string::npos);
  EXPECT_EQ(researcher.Get("/api/v1/research").status, 401);
  // Adding a person: the form says what is wrong, the server refuses a duplicate name.
  b.Type("#user-name", "supervisor");
  b.Click("#user-add button[type=submit]");
  EXPECT_TRUE(b.WaitFor("return document.querySelector('main .error') !== null;"));
}

}  // namespace
}  // namespace hashtriage::testing
