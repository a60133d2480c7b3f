// `hashtriage serve --case postgresql://... [--index DIR] [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM]
// [--session-idle MIN] [--session-max HOURS]`: answers the JSON API (engine/serve/) until SIGINT or
// SIGTERM. Prints "hashtriage serve: listening on URL" on stdout once it accepts connections.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>

#include "engine/cli/commands.h"
#include "engine/serve/http_server.h"
#include "index/known_index.h"

namespace hashtriage::cli {

namespace {

struct ServeCommandOptions {
  std::string case_dir;
  std::string index_dir;
  engine::serve::ServeOptions serve;
  std::int64_t idle_minutes = 30;
  std::int64_t max_hours = 12;
  std::int64_t idle_seconds = 0;  // tests: overrides --session-idle
};

Result<int> RunServeCommand(ServeCommandOptions o) {
  o.serve.case_location = o.case_dir;
  o.serve.index_dir = o.index_dir.empty() ? index::DefaultIndexDir() : o.index_dir;
  o.serve.sessions.idle_seconds = o.idle_seconds > 0 ? o.idle_seconds : o.idle_minutes * 60;
  o.serve.sessions.absolute_seconds = o.max_hours * 3600;
  // SIGINT/SIGTERM are taken by a watcher thread (blocked here, before any server thread starts).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  HT_ASSIGN_OR_RETURN(auto server, engine::serve::HttpServer::Start(o.serve));
  // A signal that arrives before the server is listening would find nothing to stop: repeat the stop
  // until Run() has returned.
  std::atomic<bool> stopped{false};
  std::thread watcher([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    while (!stopped) {
      server->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::printf("hashtriage serve: listening on %s\n", server->url().c_str());
  std::fflush(stdout);
  const Status ran = server->Run();
  stopped = true;
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  HT_RETURN_IF_ERROR(ran);
  std::fprintf(stderr, "hashtriage serve: stopped\n");
  return kExitOk;
}

}  // namespace

void SetupServeCommand(CLI::App& app, CommandExit& exit) {
  auto o = std::make_shared<ServeCommandOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve a case to the team: the JSON API with accounts and roles");
  AddCaseOption(cmd, o->case_dir);
  AddIndexOption(cmd, o->index_dir);
  cmd->add_option("--listen", o->serve.listen, "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any free)");
  cmd->add_option("--tls-cert", o->serve.tls_cert, "TLS certificate chain (PEM); required off loopback");
  cmd->add_option("--tls-key", o->serve.tls_key, "TLS private key (PEM)");
  cmd->add_option("--threads", o->serve.http_threads, "Connections served at once (default 32)")->check(CLI::Range(2, 1024));
  cmd->add_option("--connections", o->serve.case_connections, "Case (database) connections (default 8)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--session-idle", o->idle_minutes, "Minutes without a request that end a session (default 30)")
      ->check(CLI::Range(1, 24 * 60));
  cmd->add_option("--session-max", o->max_hours, "Hours after which a session ends regardless (default 12)")
      ->check(CLI::Range(1, 7 * 24));
  cmd->add_option("--session-idle-seconds", o->idle_seconds, "Seconds form of --session-idle (for tests)")
      ->group("");
  cmd->add_option("--sign-ins-per-minute", o->serve.sign_ins_per_minute,
                  "Sign-in attempts allowed per client address per minute (default 10)")
      ->check(CLI::Range(1, 10000));
  cmd->callback([o, &exit] { RecordOutcome(RunServeCommand(*o), exit); });
}

}  // namespace hashtriage::cli
