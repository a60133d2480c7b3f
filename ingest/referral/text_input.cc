#include "ingest/referral/text_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hashtriage::ingest::referral_internal {

namespace {
constexpr std::size_t kBufferBytes = 1u << 20;
}

Result<std::unique_ptr<TextInput>> TextInput::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  return std::unique_ptr<TextInput>(new TextInput(fd, path));
}

TextInput::TextInput(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), buffer_(new char[kBufferBytes]) {}

TextInput::~TextInput() { ::close(fd_); }

bool TextInput::Fill() {
  if (!status_.ok()) return false;
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.get(), kBufferBytes);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    status_ = Status::IOError(path_ + ": " + std::strerror(errno));
    return false;
  }
  buffer_offset_ += end_;
  pos_ = 0;
  end_ = static_cast<std::size_t>(n);
  if (first_fill_) {
    first_fill_ = false;
    if (end_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  return pos_ < end_;
}

}  // namespace hashtriage::ingest::referral_internal
