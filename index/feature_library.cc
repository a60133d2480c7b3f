#include "index/feature_library.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "index/internal/key_codec.h"

namespace hashtriage::index {
namespace {

constexpr char kPictureFormatVersion = 1;
constexpr std::size_t kFeatureBytes = 4 * 4 + 32;

static_assert(std::endian::native == std::endian::little, "feature records are stored little-endian");

void PutFloat(std::string& out, float v) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);
  out.append(bytes, 4);
}

float GetFloat(const char* p) {
  float v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

std::uint32_t ChunkValue(const std::array<std::uint64_t, 4>& descriptor, int chunk) {
  return static_cast<std::uint32_t>(descriptor[static_cast<std::size_t>(chunk / 4)] >> (16 * (chunk % 4))) & 0xffffu;
}

}  // namespace

std::string EncodeLibraryPicture(const EntryInfo& info, const std::vector<hashing::LocalFeatures>& views) {
  std::string out(1, kPictureFormatVersion);
  const std::string entry = internal::EncodeEntry(info);
  internal::PutVarint(out, entry.size());
  out += entry;
  internal::PutVarint(out, views.size());
  for (const hashing::LocalFeatures& view : views) {
    internal::PutVarint(out, static_cast<std::uint64_t>(view.width));
    internal::PutVarint(out, static_cast<std::uint64_t>(view.height));
    internal::PutVarint(out, view.features.size());
    for (const hashing::LocalFeature& f : view.features) {
      PutFloat(out, f.x);
      PutFloat(out, f.y);
      PutFloat(out, f.size);
      PutFloat(out, f.angle);
      out.append(reinterpret_cast<const char*>(f.descriptor.data()), 32);
    }
  }
  return out;
}

Result<LibraryPicture> DecodeLibraryPicture(std::string_view blob) {
  const auto bad = [](const char* why) { return Status::Corruption(std::string("library picture record: ") + why); };
  if (blob.empty() || blob[0] != kPictureFormatVersion) return bad("unknown format version");
  std::size_t pos = 1;
  const auto entry_size = internal::GetVarint(blob, pos);
  if (!entry_size || *entry_size > blob.size() - pos) return bad("truncated entry");
  auto entry = internal::DecodeEntry(blob.substr(pos, *entry_size));
  if (!entry) return bad("malformed entry");
  pos += *entry_size;
  LibraryPicture picture;
  picture.info = std::move(*entry);
  const auto views = internal::GetVarint(blob, pos);
  if (!views || *views > 16) return bad("malformed view count");
  for (std::uint64_t v = 0; v < *views; ++v) {
    const auto width = internal::GetVarint(blob, pos);
    const auto height = internal::GetVarint(blob, pos);
    const auto count = internal::GetVarint(blob, pos);
    if (!width || !height || !count || *width > 1u << 16 || *height > 1u << 16) return bad("malformed view");
    if (*count > (blob.size() - pos) / kFeatureBytes) return bad("truncated features");
    hashing::LocalFeatures view;
    view.width = static_cast<int>(*width);
    view.height = static_cast<int>(*height);
    view.features.resize(static_cast<std::size_t>(*count));
    for (hashing::LocalFeature& f : view.features) {
      const char* p = blob.data() + pos;
      f.x = GetFloat(p);
      f.y = GetFloat(p + 4);
      f.size = GetFloat(p + 8);
      f.angle = GetFloat(p + 12);
      std::memcpy(f.descriptor.data(), p + 16, 32);
      pos += kFeatureBytes;
    }
    picture.views.push_back(std::move(view));
  }
  if (pos != blob.size()) return bad("trailing bytes");
  return picture;
}

FeatureLibrary::FeatureLibrary(std::vector<LibraryPicture> pictures) : pictures_(std::move(pictures)) {
  for (std::size_t p = 0; p < pictures_.size(); ++p) {
    for (std::size_t v = 0; v < pictures_[p].views.size(); ++v) {
      for (const hashing::LocalFeature& f : pictures_[p].views[v].features) {
        descriptors_.push_back(f.descriptor);
        owner_.push_back(static_cast<std::uint32_t>(p));
        view_.push_back(static_cast<std::uint8_t>(v));
      }
    }
  }
  // Counting sort of (chunk, value) -> feature ids.
  offsets_.assign(kChunks * kValues + 1, 0);
  for (const Descriptor& d : descriptors_) {
    for (int c = 0; c < kChunks; ++c) ++offsets_[c * kValues + ChunkValue(d, c) + 1];
  }
  for (std::size_t i = 1; i < offsets_.size(); ++i) offsets_[i] += offsets_[i - 1];
  postings_.resize(offsets_.back());
  std::vector<std::uint32_t> next(offsets_.begin(), offsets_.end() - 1);
  for (std::uint32_t id = 0; id < descriptors_.size(); ++id) {
    for (int c = 0; c < kChunks; ++c) postings_[next[c * kValues + ChunkValue(descriptors_[id], c)]++] = id;
  }
}

std::size_t FeatureLibrary::memory_bytes() const {
  std::size_t stored = 0;
  for (const LibraryPicture& p : pictures_) {
    for (const hashing::LocalFeatures& v : p.views) stored += v.features.size() * sizeof(hashing::LocalFeature);
  }
  return stored + descriptors_.size() * (sizeof(Descriptor) + sizeof(std::uint32_t) + sizeof(std::uint8_t)) +
         (offsets_.size() + postings_.size()) * sizeof(std::uint32_t);
}

std::vector<FeatureCandidate> FeatureLibrary::Candidates(const hashing::LocalFeatures& scanned,
                                                         const CandidateOptions& options) const {
  std::unordered_map<std::uint64_t, int> votes;  // picture << 8 | view
  for (const hashing::LocalFeature& q : scanned.features) {
    // The nearest library descriptor among those sharing a chunk, and the nearest of any other picture.
    // The lists are gathered first and each descriptor fetched a few steps ahead: the walk is bound by
    // memory latency, not by the distances.
    std::uint32_t begin[kChunks], end[kChunks];
    for (int c = 0; c < kChunks; ++c) __builtin_prefetch(&offsets_[c * kValues + ChunkValue(q.descriptor, c)]);
    for (int c = 0; c < kChunks; ++c) {
      const std::size_t slot = c * kValues + ChunkValue(q.descriptor, c);
      begin[c] = offsets_[slot];
      end[c] = offsets_[slot + 1];
      for (std::uint32_t k = begin[c]; k < end[c] && k < begin[c] + 4; ++k) __builtin_prefetch(&descriptors_[postings_[k]]);
    }
    int best = 257, other = 257;
    std::uint32_t best_id = 0;
    for (int c = 0; c < kChunks; ++c) {
      for (std::uint32_t k = begin[c]; k < end[c]; ++k) {
        if (k + 4 < end[c]) __builtin_prefetch(&descriptors_[postings_[k + 4]]);
        const std::uint32_t id = postings_[k];
        const int d = hashing::DescriptorDistance(q.descriptor, descriptors_[id]);
        if (d < best) {
          if (best_id != id && owner_[best_id] != owner_[id]) other = std::min(other, best);
          best = d;
          best_id = id;
        } else if (owner_[id] != owner_[best_id]) {
          other = std::min(other, d);
        }
      }
    }
    if (best > options.max_distance || best >= options.ratio * other) continue;
    ++votes[std::uint64_t{owner_[best_id]} << 8 | view_[best_id]];
  }
  std::vector<FeatureCandidate> out;
  for (const auto& [key, n] : votes) {
    if (n >= options.min_votes) out.push_back({static_cast<std::uint32_t>(key >> 8), static_cast<std::uint32_t>(key & 0xff), n});
  }
  std::sort(out.begin(), out.end(), [](const FeatureCandidate& a, const FeatureCandidate& b) {
    if (a.votes != b.votes) return a.votes > b.votes;
    return a.picture != b.picture ? a.picture < b.picture : a.view < b.view;
  });
  if (out.size() > static_cast<std::size_t>(options.max_candidates)) out.resize(static_cast<std::size_t>(options.max_candidates));
  return out;
}

}  // namespace hashtriage::index
