#include "ingest/internal/image_reader.h"

#include <fcntl.h>
#include <libewf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "ingest/internal/content.h"

namespace hashtriage::ingest::internal {
namespace {

class RawImageReader final : public ImageReader {
 public:
  RawImageReader(int fd, std::string name, std::uint64_t size) : fd_(fd), name_(std::move(name)), size_(size) {}
  ~RawImageReader() override { ::close(fd_); }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) override {
    std::size_t got = 0;
    while (got < out.size() && offset + got < size_) {
      const ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(name_ + ": read failed at offset " + std::to_string(offset + got) + ": " +
                               std::strerror(errno));
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
  std::uint64_t size_;
};

std::string EwfErrorText(libewf_error_t* error) {
  if (error == nullptr) return "unknown libewf error";
  char buf[1024] = {};
  libewf_error_sprint(error, buf, sizeof(buf) - 1);
  libewf_error_free(&error);
  std::string s(buf);
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

class EwfReaderImpl final : public EwfImageReader {
 public:
  EwfReaderImpl(libewf_handle_t* handle, std::string name, std::uint64_t size)
      : handle_(handle), name_(std::move(name)), size_(size) {}
  ~EwfReaderImpl() override {
    libewf_handle_close(handle_, nullptr);
    libewf_handle_free(&handle_, nullptr);
  }
  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t got = 0;
    while (got < out.size() && offset + got < size_) {
      libewf_error_t* error = nullptr;
      const ssize_t n = libewf_handle_read_random(handle_, out.data() + got, out.size() - got,
                                                  static_cast<off64_t>(offset + got), &error);
      if (n < 0) {
        return Status::Corruption(name_ + ": EWF read failed at media offset " + std::to_string(offset + got) +
                                  ": " + EwfErrorText(error));
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  EwfStoredHashes StoredHashes() override {
    std::lock_guard<std::mutex> lock(mu_);
    EwfStoredHashes h;
    hashing::Md5Digest md5;
    if (libewf_handle_get_md5_hash(handle_, md5.bytes.data(), md5.bytes.size(), nullptr) == 1) h.md5 = md5;
    hashing::Sha1Digest sha1;
    if (libewf_handle_get_sha1_hash(handle_, sha1.bytes.data(), sha1.bytes.size(), nullptr) == 1) h.sha1 = sha1;
    return h;
  }

 private:
  std::mutex mu_;
  libewf_handle_t* handle_;
  std::string name_;
  std::uint64_t size_;
};

}  // namespace

Result<std::unique_ptr<ImageReader>> OpenRawImage(const std::string& path) {
  HT_ASSIGN_OR_RETURN(const int fd, OpenEvidenceFd(AT_FDCWD, path, O_NONBLOCK));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file or block device");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) {
    ::close(fd);
    return Status::IOError(path + ": cannot determine size");
  }
  return std::unique_ptr<ImageReader>(std::make_unique<RawImageReader>(fd, path, static_cast<std::uint64_t>(end)));
}

Result<std::unique_ptr<EwfImageReader>> EwfImageReader::Open(const std::string& path) {
  libewf_error_t* error = nullptr;
  char** names = nullptr;
  int count = 0;
  if (libewf_glob(path.c_str(), path.size(), LIBEWF_FORMAT_UNKNOWN, &names, &count, &error) != 1) {
    return Status::NotFound(path + ": cannot find EWF segment files: " + EwfErrorText(error));
  }
  libewf_handle_t* handle = nullptr;
  if (libewf_handle_initialize(&handle, &error) != 1) {
    libewf_glob_free(names, count, nullptr);
    return Status::Internal(path + ": libewf_handle_initialize: " + EwfErrorText(error));
  }
  const int opened = libewf_handle_open(handle, names, count, LIBEWF_OPEN_READ, &error);
  libewf_glob_free(names, count, nullptr);
  if (opened != 1) {
    libewf_handle_free(&handle, nullptr);
    return Status::Corruption(path + ": cannot open EWF image: " + EwfErrorText(error));
  }
  size64_t media_size = 0;
  if (libewf_handle_get_media_size(handle, &media_size, &error) != 1) {
    libewf_handle_close(handle, nullptr);
    libewf_handle_free(&handle, nullptr);
    return Status::Corruption(path + ": cannot read EWF media size: " + EwfErrorText(error));
  }
  return std::unique_ptr<EwfImageReader>(std::make_unique<EwfReaderImpl>(handle, path, media_size));
}

}  // namespace hashtriage::ingest::internal
