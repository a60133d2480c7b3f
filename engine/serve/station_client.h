// A station's side of team mode: sends the evidence records of its local case — hashes and metadata,
// never file contents — to the team's server (`serve`), each evidence item begun, fed in chunks of
// file records from where the server says it stands, and finished. A lost connection or a server
// restart is retried with backoff; when it still fails, running the same submission again resumes
// where the server stopped, without duplicates. Read-only on the local case.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::serve {

struct SubmitOptions {
  std::string url;           // https://server:port (plain http only to a loopback server)
  std::string token;         // the station's bearer token (hts_...)
  std::string ca_cert;       // PEM file of the CA that signed the server's certificate ("" = system CAs)
  std::size_t chunk = 500;   // file records per request
  int attempts = 8;          // per request, with backoff 0.5 s doubling to 8 s
  // Called after each accepted chunk: evidence number (local), records the server holds, total.
  std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)> progress;
};

struct SubmittedEvidence {
  std::uint32_t local = 0;      // the evidence number in the station's case
  std::uint32_t server = 0;     // and on the server
  std::uint64_t records = 0;    // file records the server holds
  std::uint64_t sent = 0;       // of which this run sent
  bool already_finished = false;
};

// Submits every finished or incomplete evidence item of `local` (`numbers` empty), or those listed.
Result<std::vector<SubmittedEvidence>> SubmitEvidence(const Case& local, const std::vector<std::uint32_t>& numbers,
                                                      const SubmitOptions& options);

// The largest referral file one submission takes (the server's request limit is 16 MB).
inline constexpr std::uint64_t kMaxReferralFileBytes = 15u << 20;

// Sends one referral file, as it is, to the server's intake (the same intake as the `intake` command,
// run there under the station's name) and returns the server's tallies. Retried with backoff like
// scan records; sending a file again is safe (referrals already stored are skipped).
Result<nlohmann::json> SubmitReferralFile(const std::string& path, const SubmitOptions& options);

}  // namespace hashtriage::engine::serve
