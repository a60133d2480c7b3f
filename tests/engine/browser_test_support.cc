#include "tests/engine/browser_test_support.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <gtest/gtest.h>
#include <thread>

#include "tests/engine/serve_test_support.h"

namespace hashtriage::testing {

namespace {

using nlohmann::json;
constexpr const char* kElement = "element-6066-11e4-a52e-4f735466cecf";

std::string Base64Decode(const std::string& in) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    const auto at = chars.find(c);
    if (at == std::string::npos) continue;
    value = (value << 6) | static_cast<int>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
    }
  }
  return out;
}

bool Truthy(const json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_string()) return !j.get<std::string>().empty();
  if (j.is_number()) return j.get<double>() != 0;
  return !j.is_null() && !(j.is_array() && j.empty());
}

}  // namespace

Browser::Browser(int width, int height) {
  const int port = FreeLoopbackPort();
  driver_ = ::fork();
  if (driver_ == 0) {
    const std::string port_arg = "--port=" + std::to_string(port);
    ::execlp("chromedriver", "chromedriver", port_arg.c_str(), "--allowed-ips=127.0.0.1", "--log-level=SEVERE",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  http_->set_read_timeout(60, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    if (auto r = http_->Get("/status"); r && r->status == 200) ready = json::parse(r->body)["value"]["ready"] == true;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ready) {
    ADD_FAILURE() << "chromedriver did not start (is chromium-driver installed? scripts/install-deps)";
    return;
  }
  const json args = {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
  const json made = Call("POST", "/session",
                         {{"capabilities",
                           {{"alwaysMatch",
                             {{"browserName", "chrome"},
                              {"goog:chromeOptions", {{"binary", "/usr/bin/chromium"}, {"args", args}}}}}}}});
  if (made.contains("sessionId")) session_ = made["sessionId"];
  if (session_.empty()) ADD_FAILURE() << "no browser session: " << made.dump();
}

Browser::~Browser() {
  if (!session_.empty()) Call("DELETE", "/session/" + session_);
  if (driver_ > 0) {
    ::kill(driver_, SIGTERM);
    int status = 0;
    ::waitpid(driver_, &status, 0);
  }
}

json Browser::Call(const std::string& method, const std::string& path, const json& body) {
  const std::string text = body.is_null() ? "{}" : body.dump();
  httplib::Result r = method == "GET"      ? http_->Get(path)
                      : method == "DELETE" ? http_->Delete(path)
                                           : http_->Post(path, text, "application/json");
  if (!r) return json{{"error", "chromedriver did not answer"}};
  const json reply = json::parse(r->body, nullptr, false);
  if (reply.is_discarded()) return json{{"error", "not JSON: " + r->body}};
  if (r->status != 200) return json{{"error", reply.contains("value") ? reply["value"].dump() : reply.dump()}};
  return reply.contains("value") ? reply["value"] : reply;
}

void Browser::Open(const std::string& url) {
  const json r = Call("POST", "/session/" + session_ + "/url", {{"url", url}});
  EXPECT_FALSE(r.is_object() && r.contains("error")) << url << ": " << r.dump();
}

json Browser::Run(const std::string& script, const json& args) {
  return Call("POST", "/session/" + session_ + "/execute/sync", {{"script", script}, {"args", args}});
}

bool Browser::WaitFor(const std::string& script, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const json v = Run(script);
    if (!(v.is_object() && v.contains("error")) && Truthy(v)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string Browser::Find(const std::string& css) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const json r = Call("POST", "/session/" + session_ + "/element", {{"using", "css selector"}, {"value", css}});
    if (r.is_object() && r.contains(kElement)) return r[kElement];
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "no element " << css << " on the page";
  return "";
}

void Browser::Click(const std::string& css) {
  const std::string id = Find(css);
  if (id.empty()) return;
  const json r = Call("POST", "/session/" + session_ + "/element/" + id + "/click", json::object());
  EXPECT_FALSE(r.is_object() && r.contains("error")) << css << ": " << r.dump();
}

void Browser::Type(const std::string& css, const std::string& text) {
  const std::string id = Find(css);
  if (id.empty()) return;
  Call("POST", "/session/" + session_ + "/element/" + id + "/clear", json::object());
  const json r = Call("POST", "/session/" + session_ + "/element/" + id + "/value", {{"text", text}});
  EXPECT_FALSE(r.is_object() && r.contains("error")) << css << ": " << r.dump();
}

std::string Browser::Text(const std::string& css) {
  const std::string id = Find(css);
  if (id.empty()) return "";
  const json r = Call("GET", "/session/" + session_ + "/element/" + id + "/text");
  return r.is_string() ? r.get<std::string>() : "";
}

void Browser::EmulateMedia(const std::string& media) {
  const json r = Call("POST", "/session/" + session_ + "/goog/cdp/execute",
                      {{"cmd", "Emulation.setEmulatedMedia"}, {"params", {{"media", media}}}});
  EXPECT_FALSE(r.is_object() && r.contains("error")) << media << ": " << r.dump();
}

void Browser::Screenshot(const std::filesystem::path& png) {
  const json r = Call("GET", "/session/" + session_ + "/screenshot");
  if (!r.is_string()) {
    ADD_FAILURE() << "no screenshot: " << r.dump();
    return;
  }
  std::filesystem::create_directories(png.parent_path());
  std::ofstream(png, std::ios::binary) << Base64Decode(r.get<std::string>());
}

}  // namespace hashtriage::testing
