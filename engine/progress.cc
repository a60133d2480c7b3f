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
  if (total_items_ > 0 && items_ > 0 && items_ <= total_items_) {
    const double remaining = elapsed * (total_items_ - items_) / items_;
    std::snprintf(eta, sizeof eta, "%d:%02d", static_cast<int>(remaining) / 60, static_cast<int>(remaining) % 60);
  }
  char total[32] = "";
  if (total_items_ > 0) std::snprintf(total, sizeof total, "/%llu", static_cast<unsigned long long>(total_items_));
  std::fprintf(stderr, "\r\033[K%s: %llu%s files, %.1f MB, %.1f MB/s, ETA %s%s%s", label_.c_str(),
               static_cast<unsigned long long>(items_), total, mb, rate, eta, detail_.empty() ? "" : ", ",
               detail_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

void Progress::Finish() { Clear(); }

}  // namespace hashtriage::engine
