// `hashtriage submit --to URL [--case DIR] [--token-file F] [--ca-cert PEM] [EVIDENCE...]`: a station
// sends the records of its local case (hashes and metadata only) to the team's server — what
// `scan --submit` does after its scan, and the way to resume a submission cut short. Exit 1 when the
// server could not be reached or refused (nothing is lost: run it again).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/cli/commands.h"
#include "engine/serve/station_client.h"
#include "engine/text/untrusted_text.h"

namespace hashtriage::cli {

void AddSubmitOptions(CLI::App* command, std::string& url, std::string& token_file, std::string& ca_cert) {
  command->add_option("--submit,--to", url, "Team server to send the records to, e.g. https://server:8443");
  command->add_option("--token-file", token_file,
                      "File holding this station's token (default: $HASHTRIAGE_STATION_TOKEN)");
  command->add_option("--ca-cert", ca_cert, "CA certificate (PEM) of the server's certificate (default: system CAs)");
}

// The station's token: the first line of `token_file`, else $HASHTRIAGE_STATION_TOKEN ("" when neither).
Result<std::string> ReadStationToken(const std::string& token_file) {
  std::string token;
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) return Status::NotFound(token_file + ": cannot read the station token");
    std::getline(in, token);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  } else if (const char* env = std::getenv("HASHTRIAGE_STATION_TOKEN")) {
    token = env;
  }
  return token;
}

Status SubmitToServer(const engine::Case& local, const std::vector<std::uint32_t>& numbers, const std::string& url,
                      const std::string& token_file, const std::string& ca_cert, std::size_t chunk,
                      const engine::TestHooks* hooks) {
  engine::serve::SubmitOptions options;
  options.chunk = chunk;
  if (hooks != nullptr && hooks->submit_chunk) {
    options.progress = [hooks, n = std::uint64_t{0}](std::uint32_t, std::uint64_t, std::uint64_t) mutable {
      hooks->submit_chunk(++n);
    };
  }
  options.url = url;
  options.ca_cert = ca_cert;
  HT_ASSIGN_OR_RETURN(options.token, ReadStationToken(token_file));
  HT_ASSIGN_OR_RETURN(auto sent, engine::serve::SubmitEvidence(local, numbers, options));
  for (const auto& e : sent) {
    std::printf("submitted evidence %u as %s evidence %u: %llu file records on the server (%llu sent now)%s\n", e.local,
                engine::TerminalText(url).c_str(), e.server, static_cast<unsigned long long>(e.records),
                static_cast<unsigned long long>(e.sent), e.already_finished ? ", already complete there" : "");
  }
  if (sent.empty()) std::printf("nothing to submit (no finished evidence)\n");
  return Status::Ok();
}

Result<int> SubmitReferralFiles(const std::vector<std::string>& files, const std::string& url,
                                const std::string& token_file, const std::string& ca_cert) {
  engine::serve::SubmitOptions options;
  options.url = url;
  options.ca_cert = ca_cert;
  HT_ASSIGN_OR_RETURN(options.token, ReadStationToken(token_file));
  bool bad = false;
  for (const std::string& file : files) {
    auto reply = engine::serve::SubmitReferralFile(file, options);
    if (!reply.ok()) {
      std::fprintf(stderr, "hashtriage: %s\n", engine::TerminalText(reply.status().message()).c_str());
      bad = true;
      continue;  // one file that cannot be sent never stops the others
    }
    const nlohmann::json& r = *reply;
    std::printf("%s: submitted to %s: %llu referrals stored, %llu already ingested, %llu bad, %llu new subjects, %llu "
                "files known to the index\n",
                engine::TerminalText(file).c_str(), engine::TerminalText(url).c_str(),
                r.value("referrals_stored", 0ull), r.value("already_ingested", 0ull), r.value("bad_records", 0ull),
                r.value("new_subjects", 0ull), r.value("files_with_known_images", 0ull));
    for (const auto& b : r.value("first_bad_records", nlohmann::json::array())) {
      std::fprintf(stderr, "hashtriage: %s: record %llu (line %llu): %s\n", engine::TerminalText(file).c_str(),
                   b.value("record", 0ull), b.value("line", 0ull),
                   engine::TerminalText(b.value("error", std::string())).c_str());
    }
    for (const auto& e : r.value("file_errors", nlohmann::json::array())) {
      std::fprintf(stderr, "hashtriage: %s: %s\n", engine::TerminalText(file).c_str(),
                   engine::TerminalText(e.is_string() ? e.get<std::string>() : std::string()).c_str());
    }
    bad = bad || r.value("bad_records", 0ull) > 0 || !r.value("file_errors", nlohmann::json::array()).empty();
  }
  return bad ? kExitFailure : kExitOk;
}

namespace {

struct SubmitCommandOptions {
  std::string case_dir;
  std::string url;
  std::string token_file;
  std::string ca_cert;
  std::vector<std::uint32_t> evidence;
  std::size_t chunk = 500;
  const engine::TestHooks* hooks = nullptr;  // from the test driver only
};

Result<int> RunSubmitCommand(const SubmitCommandOptions& o) {
  if (o.url.empty()) return Status::InvalidArgument("submit needs --to URL (the team's server)");
  HT_ASSIGN_OR_RETURN(auto store, OpenExistingCase(o.case_dir, /*read_only=*/true));
  HT_RETURN_IF_ERROR(SubmitToServer(*store, o.evidence, o.url, o.token_file, o.ca_cert, o.chunk, o.hooks));
  return kExitOk;
}

}  // namespace

void SetupSubmitCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<SubmitCommandOptions>();
  CLI::App* cmd = app.add_subcommand("submit", "Send this station's scan records to the team's server (resumes)");
  cmd->add_option("evidence", o->evidence, "Evidence numbers of the local case (default: all finished ones)");
  AddCaseOption(cmd, o->case_dir);
  AddSubmitOptions(cmd, o->url, o->token_file, o->ca_cert);
  cmd->add_option("--chunk", o->chunk, "File records per request (default 500)")->check(CLI::Range(1, 100000))->group("");
  cmd->callback([o, &exit] {
    o->hooks = exit.hooks;
    RecordOutcome(RunSubmitCommand(*o), exit);
  });
}

}  // namespace hashtriage::cli
