#include "engine/cli/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hashtriage::cli {

Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty()) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
      return Status::IOError("cannot write to standard output");
    }
    return Status::Ok();
  }
  // Exports name subjects: readable by the owner only, like the case itself.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(path + ": cannot write: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return Status::IOError(path + ": write failed: " + reason);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return Status::IOError(path + ": close failed: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace hashtriage::cli
