// `hashtriage user add NAME --role ROLE | passwd NAME | role NAME ROLE | disable NAME | enable NAME |
// list`: the accounts of a team case (engine/users/users.h). A password is read from standard input
// (on a terminal: asked twice without echo), never from the command line, so it never reaches the
// shell history, the process list or the audit log. A station's token is printed once.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/case/audit_log.h"
#include "engine/cli/commands.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"
#include "engine/users/users.h"

namespace hashtriage::cli {

namespace {

struct UserOptions {
  std::string case_location;
  std::string now;
  std::string by;
  std::string name;
  std::string role;
  bool json = false;
  std::string command_line;
};

std::string ReadLineQuietly(const char* prompt) {
  termios saved{};
  const bool tty = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The new password: one line of standard input; on a terminal, asked twice.
Result<std::string> ReadNewPassword(const std::string& name) {
  const std::string first = ReadLineQuietly(("new password for " + name + ": ").c_str());
  if (::isatty(STDIN_FILENO)) {
    if (ReadLineQuietly("again: ") != first) return Status::InvalidArgument("the two passwords differ");
  }
  if (first.empty()) {
    return Status::InvalidArgument("no password on standard input (it is read from there, never from the command "
                                   "line)");
  }
  return first;
}

struct Opened {
  std::unique_ptr<engine::Case> c;
  engine::CommandContext context;
  std::string by;
};

Result<Opened> Open(const UserOptions& o, bool read_only) {
  Opened out;
  HT_ASSIGN_OR_RETURN(out.context, ContextFor(o.now, o.command_line));
  HT_ASSIGN_OR_RETURN(out.c, OpenExistingCase(o.case_location, read_only));
  out.by = o.by.empty() ? engine::DefaultActor() : o.by;
  return out;
}

Result<int> RunUserAdd(const UserOptions& o) {
  HT_ASSIGN_OR_RETURN(const auto role, engine::users::ParseRole(o.role));
  std::string password;
  if (role != engine::users::Role::kStation) {
    HT_ASSIGN_OR_RETURN(password, ReadNewPassword(o.name));
  }
  HT_ASSIGN_OR_RETURN(auto opened, Open(o, false));
  HT_ASSIGN_OR_RETURN(const auto added, engine::users::AddUser(*opened.c, o.name, role, password, opened.by,
                                                               opened.context));
  std::printf("added user %s (%s)\n", o.name.c_str(), added.record.role.c_str());
  if (!added.token.empty()) {
    std::printf("station token (shown this once; give it to the station, keep it secret): %s\n", added.token.c_str());
  }
  return kExitOk;
}

Result<int> RunUserList(const UserOptions& o) {
  HT_ASSIGN_OR_RETURN(auto opened, Open(o, true));
  HT_ASSIGN_OR_RETURN(const auto users, engine::users::ListUsers(*opened.c));
  const std::int64_t now = engine::WallClockNow();
  auto state = [&](const engine::UserRecord& u) -> std::string {
    if (u.disabled) return "disabled";
    return u.locked_until > now ? "locked" : "active";
  };
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& u : users) {
      list.push_back({{"name", u.name}, {"role", u.role}, {"disabled", u.disabled}, {"state", state(u)},
                      {"locked_until", u.locked_until > now ? nlohmann::json(engine::FormatIso8601(u.locked_until))
                                                            : nlohmann::json(nullptr)},
                      {"created", engine::FormatIso8601(u.created)}, {"created_by", u.created_by},
                      {"changed", engine::FormatIso8601(u.changed)}, {"changed_by", u.changed_by}});
    }
    std::printf("%s\n", nlohmann::json{{"users", list}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  std::printf("%-24s %-13s %-8s %s\n", "USER", "ROLE", "STATE", "CHANGED");
  for (const auto& u : users) {
    std::printf("%-24s %-13s %-8s %s by %s\n", u.name.c_str(), u.role.c_str(), state(u).c_str(),
                engine::FormatIso8601(u.changed).c_str(), engine::TerminalText(u.changed_by).c_str());
  }
  return kExitOk;
}

CLI::App* AddUserCommand(CLI::App* group, const std::string& name, const std::string& what,
                         const std::shared_ptr<UserOptions>& o, bool named) {
  CLI::App* cmd = group->add_subcommand(name, what);
  AddCaseOption(cmd, o->case_location);
  AddNowOption(cmd, o->now);
  if (named) {
    cmd->add_option("name", o->name, "The user")->required();
    cmd->add_option("--by", o->by, "Who makes the change (default: $USER)");
  }
  return cmd;
}

}  // namespace

void SetupUserCommand(CLI::App& app, CommandExit& exit) {
  CLI::App* group = SubcommandGroup(app, "user", "Accounts of a team case: people with roles, and stations");
  group->require_subcommand(1);

  auto add = std::make_shared<UserOptions>();
  CLI::App* add_cmd = AddUserCommand(group, "add", "Add a user; the password is read from standard input "
                                                   "(a station gets a token instead)", add, true);
  add_cmd->add_option("--role", add->role, "researcher, investigator, supervisor, station or admin")->required();
  add_cmd->callback([add, &exit]() {
    add->command_line = exit.command_line;
    RecordOutcome(RunUserAdd(*add), exit);
  });

  auto passwd = std::make_shared<UserOptions>();
  AddUserCommand(group, "passwd", "Set a user's password (read from standard input)", passwd, true)
      ->callback([passwd, &exit]() {
        passwd->command_line = exit.command_line;
        RecordOutcome([&]() -> Result<int> {
          HT_ASSIGN_OR_RETURN(const std::string password, ReadNewPassword(passwd->name));
          HT_ASSIGN_OR_RETURN(auto opened, Open(*passwd, false));
          HT_RETURN_IF_ERROR(engine::users::SetPassword(*opened.c, passwd->name, password, opened.by, opened.context));
          std::printf("password of %s changed\n", passwd->name.c_str());
          return kExitOk;
        }(), exit);
      });

  auto role = std::make_shared<UserOptions>();
  CLI::App* role_cmd = AddUserCommand(group, "role", "Change a user's role", role, true);
  role_cmd->add_option("role", role->role, "The new role")->required();
  role_cmd->callback([role, &exit]() {
    role->command_line = exit.command_line;
    RecordOutcome([&]() -> Result<int> {
      HT_ASSIGN_OR_RETURN(const auto parsed, engine::users::ParseRole(role->role));
      HT_ASSIGN_OR_RETURN(auto opened, Open(*role, false));
      HT_RETURN_IF_ERROR(engine::users::SetRole(*opened.c, role->name, parsed, opened.by, opened.context));
      std::printf("%s is now %s\n", role->name.c_str(), role->role.c_str());
      return kExitOk;
    }(), exit);
  });

  for (const bool disable : {true, false}) {
    auto o = std::make_shared<UserOptions>();
    AddUserCommand(group, disable ? "disable" : "enable",
                   disable ? "Disable a user: every session and token of theirs stops working" : "Enable a user again",
                   o, true)
        ->callback([o, &exit, disable]() {
          o->command_line = exit.command_line;
          RecordOutcome([&]() -> Result<int> {
            HT_ASSIGN_OR_RETURN(auto opened, Open(*o, false));
            HT_RETURN_IF_ERROR(engine::users::SetDisabled(*opened.c, o->name, disable, opened.by, opened.context));
            std::printf("%s %s\n", o->name.c_str(), disable ? "disabled" : "enabled");
            return kExitOk;
          }(), exit);
        });
  }

  auto list = std::make_shared<UserOptions>();
  CLI::App* list_cmd = AddUserCommand(group, "list", "List the users (never their secrets)", list, false);
  list_cmd->add_flag("--json", list->json, "JSON");
  list_cmd->callback([list, &exit]() { RecordOutcome(RunUserList(*list), exit); });
}

}  // namespace hashtriage::cli
