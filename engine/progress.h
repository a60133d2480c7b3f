// Progress: a one-line progress display on stderr for long operations (files, MB, rate, ETA and an
// optional detail such as images or hits so far). Draws only when enabled (stderr is a terminal)
// and at most ten times a second; silent otherwise. Thread-safe: a scan's writer stage advances it while
// its enumeration stage may report a phase (carving) in the detail.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace hashtriage::engine {

class Progress {
 public:
  // total_items 0 means unknown (no ETA).
  Progress(std::string label, std::uint64_t total_items, bool enabled);
  void Advance(std::uint64_t items, std::uint64_t bytes);
  void SetTotal(std::uint64_t total_items) {
    std::lock_guard<std::mutex> lock(mu_);
    total_items_ = total_items;
  }
  // When the bytes to process are known (files to import, a directory tree), the ETA follows bytes.
  void SetTotalBytes(std::uint64_t total_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    total_bytes_ = total_bytes;
  }
  // What an item is called on the line (default "files").
  void SetUnit(std::string unit) {
    std::lock_guard<std::mutex> lock(mu_);
    unit_ = std::move(unit);
  }
  void SetDetail(std::string detail) {
    std::lock_guard<std::mutex> lock(mu_);
    detail_ = std::move(detail);
  }
  // Draws now (when enabled), e.g. after SetDetail announces a new phase.
  void Refresh() {
    std::lock_guard<std::mutex> lock(mu_);
    if (enabled_) Draw();
  }
  // Erases the line so another message can be printed; the next Advance redraws it.
  void Clear();
  // Erases the line for good.
  void Finish();

  bool enabled() const { return enabled_; }
  std::uint64_t items() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_;
  }
  std::uint64_t bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
  }
  double ElapsedSeconds() const;

 private:
  void Draw();    // mu_ held
  void Erase();   // mu_ held
  mutable std::mutex mu_;
  std::string label_;
  std::uint64_t total_items_;
  std::uint64_t total_bytes_ = 0;
  std::string unit_ = "files";
  bool enabled_;
  std::uint64_t items_ = 0;
  std::uint64_t bytes_ = 0;
  std::string detail_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace hashtriage::engine
