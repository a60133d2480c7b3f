#include "engine/file_hashing.h"

#include <array>
#include <memory>
#include <new>
#include <span>
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
  // A picture within the pixel limit can still need more memory than there is (a 50,000,000 x 1
  // PNG of 200 KB): that file is an error, its digests kept; the run goes on.
  try {
    auto image = hashing::HashImage(bytes, request.image);
    if (image.ok()) {
      out.image = std::move(image).value();
    } else {
      out.status = image.status();
    }
  } catch (const std::bad_alloc&) {
    out.image.reset();
    out.status = Status::ResourceLimit("out of memory decoding or hashing the picture; digested, not decoded");
  }
}
}  // namespace

FileHashes HashContent(std::span<const std::byte> bytes, const FileHashRequest& request) {
  FileHashes out;
  out.size = bytes.size();
  out.digests = hashing::DigestBytes(bytes, request.digests);
  if (!request.should_decode || request.should_decode(out.digests)) AddImageHashes(bytes, request, out);
  return out;
}

Result<FileHashes> HashStream(const ReadFunction& read, const FileHashRequest& request) {
  // Not zeroed: `read` fills what is used (zeroing a megabyte per file was a visible share of a scan).
  const auto storage = std::make_unique_for_overwrite<std::byte[]>(kChunkBytes);
  const std::span<std::byte> buffer(storage.get(), kChunkBytes);
  HT_ASSIGN_OR_RETURN(std::size_t first, read(buffer));
  const bool image = request.pdq && hashing::LooksLikeImage(buffer.first(first));
  std::uint64_t total = first;

  if (image && first == kChunkBytes) {
    // Read the whole image (decoders need it), up to the cap; past the cap fall back to streaming.
    std::vector<std::byte> whole(buffer.begin(), buffer.end());
    hashing::MultiDigester overflow(request.digests);
    bool over_cap = false;
    while (true) {
      HT_ASSIGN_OR_RETURN(std::size_t n, read(buffer));
      if (n == 0) break;
      total += n;
      if (!over_cap && total > request.max_image_bytes) {
        over_cap = true;
        overflow.Update(whole);
        whole.clear();
        whole.shrink_to_fit();
      }
      if (over_cap) {
        overflow.Update(buffer.first(n));
      } else {
        whole.insert(whole.end(), buffer.begin(), buffer.begin() + static_cast<long>(n));
      }
    }
    if (over_cap) {
      FileHashes out;
      out.size = total;
      out.digests = overflow.Finish();
      out.status = Status::ResourceLimit("image larger than the " + std::to_string(request.max_image_bytes) +
                                         "-byte limit; digested, not decoded");
      return out;
    }
    return HashContent(whole, request);
  }
  if (image) return HashContent(buffer.first(first), request);

  FileHashes out;
  if (request.sniff_video) out.video_container = hashing::SniffVideoContainer(buffer.first(first));
  hashing::MultiDigester digester(request.digests);
  digester.Update(buffer.first(first));
  const bool empty = first == 0;
  if (first == kChunkBytes) {
    while (true) {
      HT_ASSIGN_OR_RETURN(std::size_t n, read(buffer));
      if (n == 0) break;
      total += n;
      digester.Update(buffer.first(n));
    }
  }
  out.size = total;
  out.digests = digester.Finish();
  if (request.pdq_required && out.video_container == hashing::VideoContainer::kNone) {
    out.status = empty ? Status::Corruption("empty file (0 bytes), not an image")
                       : Status::NotSupported("not a recognised image format");
  }
  return out;
}

Result<FileHashes> HashFile(const std::string& path, const FileHashRequest& request) {
  HT_ASSIGN_OR_RETURN(hashing::ReadOnlyFile file, hashing::ReadOnlyFile::Open(path));
  return HashStream([&file](std::span<std::byte> out) { return file.Read(out); }, request);
}

Result<hashing::VideoHashes> HashVideoFile(const std::string& path, const hashing::VideoHashOptions& options) {
  HT_ASSIGN_OR_RETURN(hashing::ReadOnlyFile file, hashing::ReadOnlyFile::Open(path));
  HT_ASSIGN_OR_RETURN(const std::uint64_t size, file.Size());
  std::array<std::byte, 64> head{};
  HT_ASSIGN_OR_RETURN(const std::size_t n, file.Read(head));
  const hashing::VideoContainer container = hashing::SniffVideoContainer(std::span<const std::byte>(head.data(), n));
  if (container == hashing::VideoContainer::kNone) {
    return Status::InvalidArgument("not a video hashtriage decodes (MP4/MOV/3GP, AVI, MKV/WebM)");
  }
  return hashing::HashVideo([&file](std::span<std::byte> out) { return file.Read(out); },
                            [&file](std::uint64_t offset) { return file.Seek(offset); }, size, container, options);
}

}  // namespace hashtriage::engine
