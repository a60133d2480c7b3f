// serve_load_client: the client side of bench/serve_load_bench.py, in C++ so that the load generator's
// own CPU time (it shares the machine's cores with serve and PostgreSQL) and a scripting language's
// global lock do not count as server latency. Each of C threads signs in as one person (one at a time:
// sign-in is deliberately slow), then keeps one keep-alive connection busy for S seconds with the mix
// queue page 50%, subject view 35%, review 15% (an investigator first takes the subject; a review reads
// the subject's version, then posts a "keep" decision with a band; only the POST is timed). Optional
// think time between requests (exponential, mean --think-ms). Prints one JSON object: per request type
// count/p50/p99/max (ms), outcomes, elapsed seconds and the first errors.
//   serve_load_client --port P --names a,b,c --password-file F --seconds S --subjects N [--seed K]
//                     [--think-ms M] [--host 127.0.0.1]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::vector<std::string> names;
  std::string password;
  int seconds = 60;
  int subjects = 100000;
  int seed = 1;
  double think_ms = 0;
};

struct Session {
  std::unique_ptr<httplib::Client> http;
  std::string name, cookie, csrf;
};

struct Tally {
  std::map<std::string, std::vector<double>> ms{{"queue page", {}}, {"subject view", {}}, {"review", {}}};
  long ok = 0, conflict = 0, error = 0;
  std::vector<std::string> errors;
};

httplib::Headers HeadersOf(const Session& s, bool change) {
  httplib::Headers h;
  if (!s.cookie.empty()) h.emplace("Cookie", s.cookie);
  if (change) h.emplace("X-CSRF-Token", s.csrf);
  return h;
}

Session SignIn(const Options& o, const std::string& name) {
  Session s;
  s.name = name;
  s.http = std::make_unique<httplib::Client>(o.host, o.port);
  s.http->set_keep_alive(true);
  s.http->set_tcp_nodelay(true);  // as a browser does: headers and body are two writes
  s.http->set_read_timeout(120, 0);
  const json body{{"name", name}, {"password", o.password}};
  auto r = s.http->Post("/api/v1/session", body.dump(), "application/json");
  if (!r || r->status != 200) {
    std::cerr << "serve_load_client: sign-in of " << name << " failed: "
              << (r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error())) << "\n";
    std::exit(1);
  }
  const std::string cookie = r->get_header_value("Set-Cookie");
  s.cookie = cookie.substr(0, cookie.find(';'));
  s.csrf = json::parse(r->body).at("csrf_token").get<std::string>();
  return s;
}

// One request of the mix: its status (0: no answer) and body.
std::pair<int, std::string> OneRequest(Session& s, std::mt19937_64& rng, const Options& o, Tally& t) {
  std::uniform_real_distribution<double> unit(0, 1);
  const double r = unit(rng);
  char subject[32];
  std::snprintf(subject, sizeof subject, "S-%06d", static_cast<int>(rng() % o.subjects) + 1);
  auto timed = [&](const std::string& kind, auto&& call) {
    const auto start = Clock::now();
    auto result = call();
    t.ms[kind].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    return result;
  };
  auto answer = [](const httplib::Result& res) {
    return res ? std::make_pair(res->status, res->body) : std::make_pair(0, httplib::to_string(res.error()));
  };
  if (r < 0.50) {
    // Half the pages as the UI's filters ask for them (a band or overdue only, sorted by deadline,
    // score or time in queue: the server filters and sorts its whole queue view), half in queue order.
    static const char* kSorts[] = {"deadline", "score", "age"};
    std::string path = "/api/v1/queue?limit=50&offset=";
    if (rng() % 2) {
      path += std::to_string(rng() % 20 * 50) + "&sort=" + kSorts[rng() % 3] + (rng() % 2 ? "&band=medium" : "&overdue=1");
    } else {
      path += std::to_string(rng() % (o.subjects / 50) * 50);
    }
    return answer(timed("queue page", [&] { return s.http->Get(path, HeadersOf(s, false)); }));
  }
  const std::string path = std::string("/api/v1/subjects/") + subject;
  if (r < 0.85) return answer(timed("subject view", [&] { return s.http->Get(path, HeadersOf(s, false)); }));
  if (s.name.starts_with("inv")) {  // an investigator takes a subject before deciding on it
    auto taken = answer(s.http->Post(path + "/take", HeadersOf(s, true), "{}", "application/json"));
    if (taken.first != 200) return taken;
  }
  auto view = answer(s.http->Get(path, HeadersOf(s, false)));
  if (view.first != 200) return view;
  static const char* kBands[] = {"high", "medium", "low"};
  const json review{{"outcome", "keep"},
                    {"band", kBands[rng() % 3]},
                    {"reason", "load test re-grade"},
                    {"version", json::parse(view.second).at("version")}};
  return answer(timed("review", [&] {
    return s.http->Post(path + "/review", HeadersOf(s, true), review.dump(), "application/json");
  }));
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--host") o.host = value;
    else if (flag == "--port") o.port = std::stoi(value);
    else if (flag == "--seconds") o.seconds = std::stoi(value);
    else if (flag == "--subjects") o.subjects = std::stoi(value);
    else if (flag == "--seed") o.seed = std::stoi(value);
    else if (flag == "--think-ms") o.think_ms = std::stod(value);
    else if (flag == "--names") {
      std::stringstream list(value);
      for (std::string n; std::getline(list, n, ',');) o.names.push_back(n);
    } else if (flag == "--password-file") {
      std::ifstream in(value);
      std::getline(in, o.password);
    } else {
      std::cerr << "serve_load_client: unknown flag " << flag << "\n";
      std::exit(2);
    }
  }
  if (o.port == 0 || o.names.empty() || o.subjects < 50) {
    std::cerr << "usage: serve_load_client --port P --names a,b --password-file F --seconds S --subjects N\n";
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  std::vector<Session> sessions;
  for (const std::string& name : o.names) sessions.push_back(SignIn(o, name));

  std::vector<Tally> tallies(sessions.size());
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < sessions.size(); ++k) {
    threads.emplace_back([&, k] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(o.seed) * 1000 + k);
      std::exponential_distribution<double> think(o.think_ms > 0 ? 1.0 / o.think_ms : 1.0);
      ++ready;
      while (!go) std::this_thread::yield();
      const auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
      Tally& t = tallies[k];
      while (Clock::now() < deadline) {
        const auto [status, body] = OneRequest(sessions[k], rng, o, t);
        if (status == 200) {
          ++t.ok;
        } else if (status == 403 || status == 409) {  // another investigator's subject, or changed since read
          ++t.conflict;
        } else {
          ++t.error;
          if (t.errors.size() < 3) t.errors.push_back(std::to_string(status) + " " + body.substr(0, 200));
        }
        if (o.think_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(think(rng)));
      }
    });
  }
  while (ready < static_cast<int>(threads.size())) std::this_thread::yield();
  const auto began = Clock::now();
  go = true;
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();

  Tally all;
  for (const Tally& t : tallies) {
    for (const auto& [kind, v] : t.ms) all.ms[kind].insert(all.ms[kind].end(), v.begin(), v.end());
    all.ok += t.ok;
    all.conflict += t.conflict;
    all.error += t.error;
    for (const auto& e : t.errors) {
      if (all.errors.size() < 5) all.errors.push_back(e);
    }
  }
  json out{{"elapsed_s", elapsed},
           {"outcomes", {{"ok", all.ok}, {"conflict", all.conflict}, {"error", all.error}}},
           {"errors", all.errors}};
  for (const auto& [kind, v] : all.ms) {
    out["requests"][kind] = {{"count", v.size()},
                             {"p50_ms", Percentile(v, 50)},
                             {"p99_ms", Percentile(v, 99)},
                             {"max_ms", v.empty() ? 0 : *std::max_element(v.begin(), v.end())}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}
