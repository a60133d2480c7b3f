// The README's first quick-start command, end to end: `scripts/demo --team` (the single-machine stages,
// then a throwaway PostgreSQL, accounts, `serve`, a station and the move back out) runs on this machine
// into a scratch directory with the binary under test and shows each step the README describes.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_support.h"

namespace hashtriage::testing {
namespace {

TEST(DemoTest, TheTeamDemoRunsEndToEndAndShowsEachStep) {
  TempDir dir;
  const auto demo = std::filesystem::path(HASHTRIAGE_SOURCE_DIR) / "scripts/demo";
  const auto r = RunCommand("DEMO_DIR=" + Q(dir / "out") + " HASHTRIAGE_BIN=" + Q(HashtriageBinary()) + " " + Q(demo) + " --team");
  const std::string tail = r.out.substr(r.out.size() > 4000 ? r.out.size() - 4000 : 0) + r.err;
  ASSERT_EQ(r.exit_code, 0) << tail;
  for (const char* shown : {
           "OK",                                                                      // md5sum -c of the hashes
           "(exit 2: refused, as it must be)",                                        // a protected attribute
           "WHAT TO DO NEXT: REFER TO THE SPECIALIST UNIT NOW.",                      // the kiosk verdict
           "changed since you looked",                                                // a stale review: 409
           "may not draw the dip-sample (403)",                                       // roles
           "a.admin re-matched the case against it: 1 hit(s) gained, 0 lost",        // index update + rematch
           "0 referrals stored, 3 already ingested",                                  // a re-sent referral file
           "export files: identical",                                                 // the case moved back out
           "The team's UI: open http://127.0.0.1:",                                   // the browser UI's address
           "sup.jones / supervisor demo password",                                    // and the demo accounts
       }) {
    EXPECT_NE(r.out.find(shown), std::string::npos) << "the demo no longer shows: " << shown << "\n" << tail;
  }
}

}  // namespace
}  // namespace hashtriage::testing
