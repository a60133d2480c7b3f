#include "index/internal/structure_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hashtriage::index::internal {

namespace {

constexpr char kMagic[8] = {'H', 'T', 'S', 'T', 'R', 'U', 'C', '1'};
constexpr std::size_t kAlign = 4096;
constexpr std::uint32_t kMaxCount = 1024;  // parameters or sections: far above any real file

std::size_t RoundUp(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

void PutU32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void PutU64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

bool WriteAll(int fd, const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd, p, std::min<std::size_t>(bytes, std::size_t{1} << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads fixed-size fields from the mapped header, failing (ok = false) past its end.
struct HeaderReader {
  const char* p;
  std::size_t left;
  bool ok = true;
  template <typename T>
  T Get() {
    T v{};
    if (left < sizeof(T)) {
      ok = false;
      return v;
    }
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    left -= sizeof(T);
    return v;
  }
  std::string_view Text(std::size_t n) {
    if (left < n) {
      ok = false;
      return {};
    }
    std::string_view s(p, n);
    p += n;
    left -= n;
    return s;
  }
};

}  // namespace

Status WriteStructureFile(const std::string& path, std::string_view kind, std::string_view fingerprint,
                          std::span<const std::uint64_t> params, std::span<const StructureSection> sections) {
  std::string header(kMagic, sizeof kMagic);
  PutU32(header, static_cast<std::uint32_t>(kind.size()));
  PutU32(header, static_cast<std::uint32_t>(fingerprint.size()));
  PutU32(header, static_cast<std::uint32_t>(params.size()));
  PutU32(header, static_cast<std::uint32_t>(sections.size()));
  header.append(kind);
  header.append(fingerprint);
  for (std::uint64_t p : params) PutU64(header, p);
  const std::size_t table_at = header.size();
  const std::size_t header_bytes = RoundUp(table_at + sections.size() * 16);
  std::size_t offset = header_bytes;
  for (const StructureSection& s : sections) {
    PutU64(header, offset);
    PutU64(header, s.bytes);
    offset = RoundUp(offset + s.bytes);
  }
  header.resize(header_bytes, '\0');

  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = WriteAll(fd, header.data(), header.size());
  std::size_t at = header_bytes;
  static const char kZeros[kAlign] = {};
  for (const StructureSection& s : sections) {
    ok = ok && (s.bytes == 0 || WriteAll(fd, s.data, s.bytes));
    at += s.bytes;
    ok = ok && WriteAll(fd, kZeros, RoundUp(at) - at);
    at = RoundUp(at);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = ok ? errno : saved;
    std::filesystem::remove(tmp, ec);
    return Status::IOError("cannot write " + path + ": " + std::strerror(err));
  }
  return Status::Ok();
}

MappedStructure::~MappedStructure() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
}

std::shared_ptr<const MappedStructure> MappedStructure::Open(const std::string& path, std::string_view kind,
                                                             std::string_view fingerprint, std::string* why) {
  auto fail = [&](std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return std::shared_ptr<const MappedStructure>();
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno == ENOENT ? "absent" : std::string("unreadable: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kAlign)) {
    ::close(fd);
    return fail("truncated");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return fail(std::string("cannot map: ") + std::strerror(errno));
  // Tables are probed at random: read only the pages touched, not the neighbours.
  (void)::madvise(map, size, MADV_RANDOM);
  std::shared_ptr<MappedStructure> out(new MappedStructure());
  out->map_ = map;
  out->map_bytes_ = size;

  HeaderReader h{static_cast<const char*>(map), std::min(size, std::size_t{1} << 20)};
  if (h.Text(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) return fail("not a structure file");
  const auto kind_len = h.Get<std::uint32_t>();
  const auto fp_len = h.Get<std::uint32_t>();
  const auto nparams = h.Get<std::uint32_t>();
  const auto nsections = h.Get<std::uint32_t>();
  if (!h.ok || nparams > kMaxCount || nsections > kMaxCount) return fail("malformed header");
  if (h.Text(kind_len) != kind || !h.ok) return fail("holds another structure");
  if (h.Text(fp_len) != fingerprint || !h.ok) return fail("built from another index state");
  for (std::uint32_t i = 0; i < nparams; ++i) out->params_.push_back(h.Get<std::uint64_t>());
  for (std::uint32_t i = 0; i < nsections; ++i) {
    const auto offset = h.Get<std::uint64_t>();
    const auto bytes = h.Get<std::uint64_t>();
    if (!h.ok || offset % kAlign != 0 || offset > size || bytes > size - offset) return fail("truncated");
    out->sections_.push_back({static_cast<const char*>(map) + offset, static_cast<std::size_t>(bytes)});
  }
  if (!h.ok) return fail("malformed header");
  return out;
}

}  // namespace hashtriage::index::internal
