#include "engine/progress.h"

#include <cstdio>

namespace hashtriage::engine {

Progress::Progress(std::string label, std::uint64_t total_items, bool enabled)
    : label_(std::move(label)), total_items_(total_items), enabled_(enabled),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double Progress::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Advance(std::uint64_t items, std::uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  items_ += items;
  bytes_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void Progress::Draw() {
  const double elapsed = ElapsedSeconds();
  const double mb = bytes_ / 1e6;
  const double rate = elapsed > 0 ? mb / elapsed : 0;
  char eta[32] = "--:--";
  double remaining = -1;
  if (total_bytes_ > 0 && bytes_ > 0 && bytes_ <= total_bytes_) {
    remaining = elapsed * static_cast<double>(total_bytes_ - bytes_) / static_cast<double>(bytes_);
  } else if (total_items_ > 0 && items_ > 0 && items_ <= total_items_) {
    remaining = elapsed * static_cast<double>(total_items_ - items_) / static_cast<double>(items_);
  }
  if (remaining >= 0) {
    std::snprintf(eta, sizeof eta, "%d:%02d", static_cast<int>(remaining) / 60, static_cast<int>(remaining) % 60);
  }
  char total[32] = "";
  if (total_items_ > 0) std::snprintf(total, sizeof total, "/%llu", static_cast<unsigned long long>(total_items_));
  // Megabytes and rate when the operation counts bytes (an intake counts lines only); else items/s.
  char volume[96];
  if (bytes_ > 0 || total_bytes_ > 0) {
    char of_mb[32] = "";
    if (total_bytes_ > 0) std::snprintf(of_mb, sizeof of_mb, " of %.1f", total_bytes_ / 1e6);
    std::snprintf(volume, sizeof volume, "%.1f%s MB, %.1f MB/s", mb, of_mb, rate);
  } else {
    std::snprintf(volume, sizeof volume, "%.0f %s/s", elapsed > 0 ? items_ / elapsed : 0.0, unit_.c_str());
  }
  std::fprintf(stderr, "\r\033[K%s: %llu%s %s, %s, ETA %s%s%s", label_.c_str(), static_cast<unsigned long long>(items_),
               total, unit_.c_str(), volume, eta, detail_.empty() ? "" : ", ", detail_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  Erase();
}

void Progress::Erase() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

void Progress::Finish() { Clear(); }

}  // namespace hashtriage::engine
