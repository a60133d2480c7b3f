#include "ingest/internal/slice_content.h"

#include <algorithm>
#include <mutex>
#include <string>

namespace hashtriage::ingest::internal {
namespace {

// Reads at most `size` bytes of an inner reader that starts at the slice (already seeked).
class BoundedReader final : public ByteReader {
 public:
  BoundedReader(std::unique_ptr<ByteReader> inner, std::uint64_t offset, std::uint64_t size)
      : inner_(std::move(inner)), offset_(offset), size_(size) {}
  Result<std::size_t> Read(std::span<std::byte> out) override {
    const std::uint64_t want = std::min<std::uint64_t>(out.size(), size_ - pos_);
    if (want == 0) return std::size_t{0};
    HT_ASSIGN_OR_RETURN(std::size_t n, inner_->Read(out.first(static_cast<std::size_t>(want))));
    if (n == 0) return Status::Corruption("the data ends inside an embedded item (offset " + std::to_string(offset_ + pos_) + ")");
    pos_ += n;
    return n;
  }
  std::uint64_t size() const override { return size_; }
  Status Seek(std::uint64_t offset) override {
    pos_ = std::min(offset, size_);
    return inner_->Seek(offset_ + pos_);
  }

 private:
  std::unique_ptr<ByteReader> inner_;
  std::uint64_t offset_, size_, pos_ = 0;
};

class ContentSlice final : public ContentHandle {
 public:
  ContentSlice(std::shared_ptr<const ContentHandle> parent, std::uint64_t offset, std::uint64_t size)
      : parent_(std::move(parent)), offset_(offset), size_(size) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    HT_ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> inner, parent_->Open());
    HT_RETURN_IF_ERROR(inner->Seek(offset_));
    return std::unique_ptr<ByteReader>(std::make_unique<BoundedReader>(std::move(inner), offset_, size_));
  }
  std::uint64_t size() const override { return size_; }

 private:
  std::shared_ptr<const ContentHandle> parent_;
  std::uint64_t offset_, size_;
};

class ImageSliceReader final : public ByteReader {
 public:
  ImageSliceReader(std::shared_ptr<ImageReader> image, std::uint64_t offset, std::uint64_t size)
      : image_(std::move(image)), offset_(offset), size_(size) {}
  Result<std::size_t> Read(std::span<std::byte> out) override {
    const std::uint64_t want = std::min<std::uint64_t>(out.size(), size_ - pos_);
    if (want == 0) return std::size_t{0};
    HT_ASSIGN_OR_RETURN(std::size_t n, image_->ReadAt(offset_ + pos_, out.first(static_cast<std::size_t>(want))));
    if (n == 0) {
      return Status::Corruption(image_->name() + ": the image ends at offset " + std::to_string(offset_ + pos_) +
                                ", inside a carved item");
    }
    pos_ += n;
    return n;
  }
  std::uint64_t size() const override { return size_; }
  Status Seek(std::uint64_t offset) override {
    pos_ = std::min(offset, size_);
    return Status::Ok();
  }

 private:
  std::shared_ptr<ImageReader> image_;
  std::uint64_t offset_, size_, pos_ = 0;
};

class ImageSlice final : public ContentHandle {
 public:
  ImageSlice(std::shared_ptr<ImageReader> image, std::uint64_t offset, std::uint64_t size)
      : image_(std::move(image)), offset_(offset), size_(size) {}
  Result<std::unique_ptr<ByteReader>> Open() const override {
    return std::unique_ptr<ByteReader>(std::make_unique<ImageSliceReader>(image_, offset_, size_));
  }
  std::uint64_t size() const override { return size_; }

 private:
  std::shared_ptr<ImageReader> image_;
  std::uint64_t offset_, size_;
};

class ContentImage final : public ImageReader {
 public:
  ContentImage(std::shared_ptr<const ContentHandle> content, std::string name)
      : content_(std::move(content)), name_(std::move(name)) {}
  Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::byte> out) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (reader_ == nullptr) {
      HT_ASSIGN_OR_RETURN(reader_, content_->Open());
    }
    HT_RETURN_IF_ERROR(reader_->Seek(offset));
    std::size_t got = 0;
    while (got < out.size()) {
      HT_ASSIGN_OR_RETURN(std::size_t n, reader_->Read(out.subspan(got)));
      if (n == 0) break;
      got += n;
    }
    return got;
  }
  std::uint64_t size() const override { return content_->size(); }
  const std::string& name() const override { return name_; }

 private:
  std::shared_ptr<const ContentHandle> content_;
  std::string name_;
  std::mutex mu_;
  std::unique_ptr<ByteReader> reader_;
};

}  // namespace

std::shared_ptr<ImageReader> MakeContentImage(std::shared_ptr<const ContentHandle> content, std::string name) {
  return std::make_shared<ContentImage>(std::move(content), std::move(name));
}

std::shared_ptr<ContentHandle> MakeContentSlice(std::shared_ptr<const ContentHandle> parent, std::uint64_t offset,
                                                std::uint64_t size) {
  return std::make_shared<ContentSlice>(std::move(parent), offset, size);
}

std::shared_ptr<ContentHandle> MakeImageSlice(std::shared_ptr<ImageReader> image, std::uint64_t offset,
                                              std::uint64_t size) {
  return std::make_shared<ImageSlice>(std::move(image), offset, size);
}

}  // namespace hashtriage::ingest::internal
