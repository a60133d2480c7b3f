// `hashtriage case purge`: destroys a case workspace at the end of its retention period. The directory
// must hold a hashtriage case that no other process has open (the case store's lock is taken first).
// After confirmation (typing the case directory's name, or --yes), every file in it is overwritten
// with zeros, flushed to disk, truncated and unlinked, then the directories are removed; symlinks are
// removed, never followed. A receipt (what was destroyed, the audit log's last hash, who, when, where)
// is printed, since the case's own audit log goes with it (its last entry records the purge).
// Limits, stated in --help and the README: on SSDs (wear levelling), copy-on-write or snapshotting file
// systems and backups, overwriting a file in place cannot guarantee its old blocks are unrecoverable;
// keep cases on encrypted storage so that destroying the key completes the purge.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/case/audit_log.h"
#include "engine/case/case.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/kv/kv_store.h"
#include "engine/cli/commands.h"
#include "engine/time_util.h"

namespace hashtriage::cli {

namespace {

struct PurgeOptions {
  std::string command_line;
  std::string case_dir;
  std::string now;
  bool yes = false;
  bool json = false;
};

struct PurgeTally {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t links = 0;
  std::uint64_t directories = 0;
};

// Overwrites the regular file `name` in `dirfd` with zeros to its full length, syncs it, truncates it
// and syncs again, then unlinks it.
Status OverwriteAndUnlink(int dirfd, const std::string& name, const std::string& shown, PurgeTally& tally) {
  const int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::IOError(shown + ": cannot open for overwriting: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError(shown + ": cannot stat: " + std::strerror(errno));
  }
  static const std::vector<char> zeros(1 << 20, 0);
  std::uint64_t done = 0;
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  while (done < size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), size - done));
    const ssize_t n = ::pwrite(fd, zeros.data(), want, static_cast<off_t>(done));
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(shown + ": overwrite failed at byte " + std::to_string(done) + ": " + std::strerror(err));
    }
    done += static_cast<std::uint64_t>(n);
  }
  const bool synced = ::fsync(fd) == 0 && ::ftruncate(fd, 0) == 0 && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!synced) return Status::IOError(shown + ": flushing the overwrite failed: " + std::strerror(err));
  if (::unlinkat(dirfd, name.c_str(), 0) != 0) return Status::IOError(shown + ": cannot remove: " + std::strerror(errno));
  ++tally.files;
  tally.bytes += size;
  return Status::Ok();
}

// Destroys everything inside the open directory `fd` (shown as `shown`), depth first.
Status PurgeDirectoryContents(int fd, const std::string& shown, PurgeTally& tally) {
  const int list_fd = ::dup(fd);
  DIR* dir = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr;
  if (dir == nullptr) {
    if (list_fd >= 0) ::close(list_fd);
    return Status::IOError(shown + ": cannot list: " + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (struct dirent* de = ::readdir(dir)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) names.emplace_back(de->d_name);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    const std::string path = shown + "/" + name;
    struct stat st;
    if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      const int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
      Status st_child = PurgeDirectoryContents(child, path, tally);
      ::close(child);
      HT_RETURN_IF_ERROR(st_child);
      if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) != 0) {
        return Status::IOError(path + ": cannot remove: " + std::strerror(errno));
      }
      ++tally.directories;
    } else if (S_ISREG(st.st_mode)) {
      HT_RETURN_IF_ERROR(OverwriteAndUnlink(fd, name, path, tally));
    } else {
      // Symlinks (never followed) and anything else: only the name is removed.
      if (::unlinkat(fd, name.c_str(), 0) != 0) return Status::IOError(path + ": cannot remove: " + std::strerror(errno));
      ++tally.links;
    }
  }
  return Status::Ok();
}

Result<int> RunCasePurge(const PurgeOptions& o) {
  HT_ASSIGN_OR_RETURN(const engine::CommandContext context, ContextFor(o.now, o.command_line));
  const std::int64_t now = context.now;
  const std::string dir = o.case_dir.empty() ? engine::DefaultCaseLocation() : o.case_dir;
  if (engine::kv::IsPostgresLocation(dir)) {
    return Status::InvalidArgument("case purge destroys an embedded case directory; a PostgreSQL case is destroyed by "
                                   "its database administrator (DROP DATABASE, then its backups and replicas)");
  }
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return Status::NotFound("no case at " + dir);
  if (S_ISLNK(st.st_mode)) return Status::InvalidArgument(dir + ": is a symbolic link; give the case directory itself");
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + ": not a directory");

  // Opening proves this is a hashtriage case and, held until the files go, that no other process
  // has it open (the store's lock).
  nlohmann::json what;
  const std::string name = std::filesystem::path(dir).lexically_normal().filename().string();
  engine::AuditEntry last;
  {
    auto store = OpenExistingCase(dir, /*read_only=*/false);
    if (!store.ok()) return store.status().WithContext("refusing to purge " + dir);
    HT_ASSIGN_OR_RETURN(auto evidence_list, (*store)->evidence().List());
    const std::uint64_t evidence = evidence_list.size();
    HT_ASSIGN_OR_RETURN(auto audit, (*store)->audit().Entries());
    what = {{"case", std::filesystem::absolute(dir).lexically_normal().string()},
            {"evidence_scanned", evidence},
            {"audit_entries", audit.size()},
            {"audit_entries_before", audit.size()}};
    if (!o.yes) {
      std::fprintf(stderr,
                   "This destroys case %s (%llu evidence scans, %zu audit entries) for good.\n"
                   "Type the case directory's name (%s) to confirm: ",
                   what["case"].get<std::string>().c_str(),
                   static_cast<unsigned long long>(what["evidence_scanned"].get<std::uint64_t>()), audit.size(), name.c_str());
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != name) {
        std::fprintf(stderr, "hashtriage: not confirmed; nothing was removed\n");
        return kExitFailure;
      }
    }
    // The last entry of the log that is about to go: its hash is the receipt's proof of what was purged.
    auto txn = (*store)->Begin();
    HT_ASSIGN_OR_RETURN(last, (*store)->audit().Append(*txn, engine::MakeAuditEntry(context,
                                                                                    {{"action", "case purge"}, {"case", what}})));
    HT_RETURN_IF_ERROR(txn->Commit());
  }

  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": cannot open: " + std::strerror(errno));
  PurgeTally tally;
  Status purged = PurgeDirectoryContents(fd, dir, tally);
  ::close(fd);
  if (purged.ok() && ::rmdir(dir.c_str()) != 0) purged = Status::IOError(dir + ": cannot remove: " + std::strerror(errno));
  const std::string parent = std::filesystem::absolute(dir).lexically_normal().parent_path().string();
  if (const int pfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); pfd >= 0) {
    ::fsync(pfd);  // make the removal itself durable
    ::close(pfd);
  }
  HT_RETURN_IF_ERROR(purged.WithContext("the case is partly destroyed; run the purge again to finish"));

  what["files_overwritten"] = tally.files;
  what["bytes_overwritten"] = tally.bytes;
  what["links_removed"] = tally.links;
  what["directories_removed"] = tally.directories;
  what["purged_at"] = engine::FormatIso8601(now);
  what["by"] = last.user;
  what["host"] = last.host;
  what["tool_version"] = last.tool_version;
  what["audit_entries"] = last.seq;
  what["audit_head"] = last.hash;
  if (o.json) {
    std::printf("%s\n", what.dump(2).c_str());
  } else {
    std::printf("purged case %s: %llu files (%llu bytes) overwritten with zeros and removed, %llu directories removed\n"
                "receipt: %s by %s@%s with hashtriage %s; the case's audit log ended at entry %llu (this purge), hash %s\n",
                what["case"].get<std::string>().c_str(), static_cast<unsigned long long>(tally.files),
                static_cast<unsigned long long>(tally.bytes), static_cast<unsigned long long>(tally.directories),
                what["purged_at"].get<std::string>().c_str(), what["by"].get<std::string>().c_str(),
                last.host.c_str(), last.tool_version.c_str(), static_cast<unsigned long long>(last.seq), last.hash.c_str());
  }
  return kExitOk;
}

}  // namespace

void SetupPurgeCommand(CLI::App& app, CommandExit& exit) {
  CLI::App* case_app = SubcommandGroup(app, "case", "The case workspace");
  auto o = std::make_shared<PurgeOptions>();
  CLI::App* cmd = case_app->add_subcommand(
      "purge",
      "Destroy a case: every file overwritten with zeros, synced and removed, after typing its name to confirm. "
      "Overwriting cannot reach old copies on SSDs, copy-on-write file systems, snapshots or backups: keep cases "
      "on encrypted storage");
  AddCaseOption(cmd, o->case_dir);
  AddNowOption(cmd, o->now);
  cmd->add_flag("--yes", o->yes, "Do not ask for confirmation");
  cmd->add_flag("--json", o->json, "Print the receipt as JSON");
  cmd->callback([o, &exit]() {
    o->command_line = exit.command_line;
    RecordOutcome(RunCasePurge(*o), exit);
  });
}

}  // namespace hashtriage::cli
