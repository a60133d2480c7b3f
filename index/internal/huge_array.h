// HugeArray<T>: a fixed-size array of trivially copyable T in anonymous memory advised to use
// transparent huge pages. The MIH tables and hash arrays are probed at random; with 4 KiB pages
// nearly every probe also misses the TLB. Owns its memory; movable, not copyable; not thread-safe
// to mutate, safe to read from many threads. A view (HugeArray::View) reads memory someone else owns
// instead — a read-only file mapping (structure_file.h) — and must not be written.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace hashtriage::index::internal {

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  HugeArray() = default;
  // Zero-filled. Throws std::bad_alloc when the memory cannot be mapped.
  explicit HugeArray(std::size_t n) : size_(n) {
    if (n == 0) return;
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    bytes_ = (n * sizeof(T) + kHuge - 1) / kHuge * kHuge;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Advice only: without transparent huge pages the array still works, just with more TLB misses.
    (void)::madvise(p, bytes_, MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
  }
  // Reads `n` elements at `data`, owned elsewhere (kept alive by the caller); MemoryBytes() is 0.
  static HugeArray View(const T* data, std::size_t n) {
    HugeArray a;
    a.data_ = const_cast<T*>(data);
    a.size_ = n;
    return a;
  }
  bool is_view() const { return data_ != nullptr && bytes_ == 0; }
  HugeArray(HugeArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), bytes_(std::exchange(o.bytes_, 0)) {}
  HugeArray& operator=(HugeArray&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  ~HugeArray() { Release(); }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t MemoryBytes() const { return bytes_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  void Release() {
    if (data_ != nullptr && bytes_ != 0) ::munmap(data_, bytes_);
    data_ = nullptr;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace hashtriage::index::internal
