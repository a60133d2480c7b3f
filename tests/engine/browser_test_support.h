// A real browser for the UI tests: Debian's chromium driven headless through chromedriver's W3C
// WebDriver protocol (JSON over HTTP on a loopback port, spoken here with cpp-httplib). Starts
// chromedriver on a free port and one browser session at a given window size; navigates, finds, clicks,
// types, runs scripts, waits for conditions and saves screenshots. Everything stops on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace httplib {
class Client;
}

namespace hashtriage::testing {

class Browser {
 public:
  // Starts chromedriver and a headless chromium of width x height; ok() is false (and a test failure
  // recorded) when either does not start.
  Browser(int width = 1280, int height = 800);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;
  bool ok() const { return !session_.empty(); }

  void Open(const std::string& url);
  // The result of `script` (a function body: `return ...;`) run in the page, with `args`.
  nlohmann::json Run(const std::string& script, const nlohmann::json& args = nlohmann::json::array());
  // Waits until `script` returns something truthy (true, a non-empty string); false after `timeout`.
  bool WaitFor(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The first element matching the CSS selector, waited for; "" (and a failure) when it never appears.
  std::string Find(const std::string& css);
  void Click(const std::string& css);
  void Type(const std::string& css, const std::string& text);
  std::string Text(const std::string& css);
  void Screenshot(const std::filesystem::path& png);
  // Renders the page as for `media` ("print", "screen"; "" = as normal), through chromedriver's
  // DevTools pass-through (Emulation.setEmulatedMedia).
  void EmulateMedia(const std::string& media);

 private:
  nlohmann::json Call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr);
  pid_t driver_ = -1;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

}  // namespace hashtriage::testing
