#include "ingest/text_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hashtriage::ingest {

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
  return std::unique_ptr<TextInput>(new TextInput(fd, path, std::string(kBufferBytes, '\0')));
}

std::unique_ptr<TextInput> TextInput::FromMemory(std::string bytes, std::string name) {
  std::unique_ptr<TextInput> input(new TextInput(-1, std::move(name), std::move(bytes)));
  input->end_ = input->buffer_.size();
  input->SkipByteOrderMark();
  return input;
}

TextInput::TextInput(int fd, std::string path, std::string buffer)
    : fd_(fd), path_(std::move(path)), buffer_(std::move(buffer)) {}

TextInput::~TextInput() {
  if (fd_ >= 0) ::close(fd_);
}

void TextInput::SkipByteOrderMark() {
  first_fill_ = false;
  if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
}

bool TextInput::Fill() {
  if (fd_ < 0 || !status_.ok()) return false;
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.data(), buffer_.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    status_ = Status::IOError(path_ + ": " + std::strerror(errno));
    return false;
  }
  buffer_offset_ += end_;
  pos_ = 0;
  end_ = static_cast<std::size_t>(n);
  if (first_fill_) SkipByteOrderMark();
  return pos_ < end_;
}

Status TextInput::Rewind() {
  HT_RETURN_IF_ERROR(status_);
  line_ = 1;
  pos_ = 0;
  if (fd_ < 0) {
    SkipByteOrderMark();
    return Status::Ok();
  }
  if (::lseek(fd_, 0, SEEK_SET) != 0) return status_ = Status::IOError(path_ + ": " + std::strerror(errno));
  end_ = 0;
  buffer_offset_ = 0;
  first_fill_ = true;
  return Status::Ok();
}

}  // namespace hashtriage::ingest
