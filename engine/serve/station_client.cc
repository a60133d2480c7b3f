#include "engine/serve/station_client.h"

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/case/evidence_catalogue.h"
#include "engine/case/kv/evidence_json.h"
#include "engine/serve/http_server.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

class ServerLink {
 public:
  explicit ServerLink(const SubmitOptions& options) : options_(options), client_(options.url) {
    client_.set_connection_timeout(10, 0);
    client_.set_tcp_nodelay(true);  // a request's headers and body are two writes (see http_server.cc)
    client_.set_read_timeout(120, 0);
    client_.set_bearer_token_auth(options.token.c_str());
    if (!options.ca_cert.empty()) client_.set_ca_cert_path(options.ca_cert.c_str());
    client_.enable_server_certificate_verification(true);
  }

  // POSTs `body` as CBOR; retries what may be transient (no answer, 5xx, 409) with backoff.
  Result<json> Post(const std::string& path, const json& body) {
    const std::vector<std::uint8_t> cbor = json::to_cbor(body);
    const std::string payload(cbor.begin(), cbor.end());
    std::chrono::milliseconds wait(500);
    std::string last;
    for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
      auto result = client_.Post(path, payload, "application/cbor");
      if (result && result->status == 200) {
        json reply = json::parse(result->body, nullptr, false);
        if (reply.is_discarded()) return Status::Corruption(options_.url + path + ": the server's answer is not JSON");
        return reply;
      }
      if (result) {
        json reply = json::parse(result->body, nullptr, false);
        last = "HTTP " + std::to_string(result->status) +
               (reply.is_object() && reply.contains("error") && reply["error"].is_string()
                    ? ": " + reply["error"].get<std::string>()
                    : "");
        const bool transient = result->status >= 500 || result->status == 409 || result->status == 429;
        if (!transient) {
          if (result->status == 401 || result->status == 403) return Status::PermissionDenied(options_.url + ": " + last);
          return Status::InvalidArgument(options_.url + path + ": " + last);
        }
      } else {
        last = httplib::to_string(result.error());
      }
      if (attempt < options_.attempts) {
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::milliseconds(8000));
      }
    }
    return Status::IOError("cannot reach the server " + options_.url + " (" + last +
                           "); nothing sent is lost: submit again to resume");
  }

 private:
  const SubmitOptions& options_;
  httplib::Client client_;
};

// The URL must be https, or http to this machine; a station needs its token.
Status CheckServer(const SubmitOptions& options) {
  const auto scheme_end = options.url.find("://");
  if (scheme_end == std::string::npos) return Status::InvalidArgument("--submit needs a URL like https://server:8443");
  const std::string scheme = options.url.substr(0, scheme_end);
  std::string host = options.url.substr(scheme_end + 3);
  host = host.substr(0, host.find('/'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.find(']') - 1);
  else host = host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
  if (scheme != "https" && !(scheme == "http" && IsLoopbackHost(host))) {
    return Status::InvalidArgument(options.url + ": submit over https (plain http only to a server on this machine)");
  }
  if (options.token.empty()) return Status::InvalidArgument("a station needs its token (--token-file or $HASHTRIAGE_STATION_TOKEN)");
  return Status::Ok();
}

}  // namespace

Result<json> SubmitReferralFile(const std::string& path, const SubmitOptions& options) {
  HT_RETURN_IF_ERROR(CheckServer(options));
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::NotFound(path + ": cannot read: " + ec.message());
  if (size > kMaxReferralFileBytes) {
    return Status::ResourceLimit(path + ": " + std::to_string(size >> 20) + " MB is more than one submission takes (" +
                                 std::to_string(kMaxReferralFileBytes >> 20) + " MB): split the file");
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(size);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    return Status::IOError(path + ": cannot read");
  }
  ServerLink link(options);
  return link.Post("/api/v1/station/intake",
                   json{{"file", std::filesystem::path(path).filename().string()}, {"content", json::binary(std::move(bytes))}});
}

Result<std::vector<SubmittedEvidence>> SubmitEvidence(const Case& local, const std::vector<std::uint32_t>& numbers,
                                                      const SubmitOptions& options) {
  HT_RETURN_IF_ERROR(CheckServer(options));
  HT_ASSIGN_OR_RETURN(auto all, local.evidence().List());
  ServerLink link(options);
  std::vector<SubmittedEvidence> out;
  for (const EvidenceRecord& e : all) {
    if (!numbers.empty() && std::find(numbers.begin(), numbers.end(), e.number) == numbers.end()) continue;
    if (e.status == EvidenceStatus::kRunning) continue;  // a scan still under way (or interrupted): finish it first
    SubmittedEvidence sent;
    sent.local = e.number;
    HT_ASSIGN_OR_RETURN(json state, link.Post("/api/v1/station/submissions", json{{"evidence", kv::EvidenceRecordToJson(e)}}));
    sent.server = state.value("evidence", 0u);
    std::uint64_t next = state.value("next_seq", std::uint64_t{0});
    sent.already_finished = state.value("finished", false);
    const std::string base = "/api/v1/station/submissions/" + std::to_string(sent.server);
    std::uint64_t total = 0;
    HT_RETURN_IF_ERROR(local.evidence().ForEachFile(e.number, false, [&](const FileRecord&) {
      ++total;
      return true;
    }));
    if (!sent.already_finished) {
      json chunk = json::array();
      Status failed = Status::Ok();
      auto flush = [&]() -> Status {
        if (chunk.empty()) return Status::Ok();
        HT_ASSIGN_OR_RETURN(json reply, link.Post(base + "/files", json{{"records", chunk}}));
        const std::uint64_t held = reply.value("next_seq", std::uint64_t{0});
        sent.sent += chunk.size();
        next = held;
        chunk = json::array();
        if (options.progress) options.progress(e.number, held, total);
        return Status::Ok();
      };
      HT_RETURN_IF_ERROR(local.evidence().ForEachFile(e.number, false, [&](const FileRecord& r) {
        if (r.seq < next) return true;
        chunk.push_back(kv::FileRecordToJson(r));
        if (chunk.size() >= options.chunk) failed = flush();
        return failed.ok();
      }));
      HT_RETURN_IF_ERROR(failed);
      HT_RETURN_IF_ERROR(flush());
      HT_ASSIGN_OR_RETURN(json done, link.Post(base + "/finish", json{{"evidence", kv::EvidenceRecordToJson(e)},
                                                                       {"records_total", total}}));
      next = done.value("next_seq", next);
    }
    sent.records = next;
    out.push_back(sent);
  }
  return out;
}

}  // namespace hashtriage::engine::serve
