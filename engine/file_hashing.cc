#include "engine/file_hashing.h"

#include <vector>

#include "hashing/read_only_file.h"

namespace hashtriage::engine {

namespace {
constexpr std::size_t kChunkBytes = 1 << 20;

void AddImageHashes(std::span<const std::byte> bytes, const FileHashRequest& request, FileHashes& out) {
  if (!request.pdq) return;
  if (!hashing::LooksLikeImage(bytes)) {
    if (request.pdq_required) {
      out.status = bytes.empty() ? Status::Corruption("empty file (0 bytes), not an image")
                                 : Status::NotSupported("not a recognised image format");
    }
    return;
  }
  auto image = hashing::HashImage(bytes, request.image);
  if (image.ok()) {
    out.image = std::move(image).value();
  } else {
    out.status = image.status();
  }
}
}  // namespace

FileHashes HashContent(std::span<const std::byte> bytes, const FileHashRequest& request) {
  FileHashes out;
  out.size = bytes.size();
  out.digests = hashing::DigestBytes(bytes, request.digests);
  AddImageHashes(bytes, request, out);
  return out;
}

Result<FileHashes> HashFile(const std::string& path, const FileHashRequest& request) {
  HT_ASSIGN_OR_RETURN(hashing::ReadOnlyFile file, hashing::ReadOnlyFile::Open(path));
  std::vector<std::byte> buffer(kChunkBytes);
  HT_ASSIGN_OR_RETURN(std::size_t first, file.Read(buffer));
  const std::span<const std::byte> head(buffer.data(), first);

  if (request.pdq && hashing::LooksLikeImage(head)) {
    HT_ASSIGN_OR_RETURN(std::uint64_t size, file.Size());
    if (size <= request.max_image_bytes) {
      buffer.resize(first);
      if (first == kChunkBytes) {
        HT_ASSIGN_OR_RETURN(std::vector<std::byte> rest, file.ReadAll(request.max_image_bytes - first));
        buffer.insert(buffer.end(), rest.begin(), rest.end());
      }
      return HashContent(buffer, request);
    }
  }

  FileHashes out;
  hashing::MultiDigester digester(request.digests);
  std::uint64_t total = first;
  digester.Update(head);
  if (first == kChunkBytes) {
    while (true) {
      HT_ASSIGN_OR_RETURN(std::size_t n, file.Read(buffer));
      if (n == 0) break;
      total += n;
      digester.Update(std::span<const std::byte>(buffer.data(), n));
    }
  }
  out.size = total;
  out.digests = digester.Finish();
  if (request.pdq_required) {
    out.status = hashing::LooksLikeImage(head)
                     ? Status::ResourceLimit("image file larger than the " + std::to_string(request.max_image_bytes) +
                                             "-byte limit; digested, not decoded")
                     : (total == 0 ? Status::Corruption("empty file (0 bytes), not an image")
                                   : Status::NotSupported("not a recognised image format"));
  }
  return out;
}

}  // namespace hashtriage::engine
