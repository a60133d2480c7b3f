// The open cases `serve` answers from: one connection per worker for a PostgreSQL case (a Case is not
// shared between threads), a single one for an embedded case (RocksDB allows one opener; its requests
// take turns). A request leases a case, which starts a fresh read view (Case::Refresh), and returns
// it when the lease ends. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/case/case.h"
#include "hashing/status.h"

namespace hashtriage::engine::serve {

class CasePool {
 public:
  // Opens `size` connections to the case at `location` (1 for an embedded case), never creating it.
  static Result<std::unique_ptr<CasePool>> Open(const std::string& location, std::size_t size);

  class Lease {
   public:
    Lease(CasePool& pool, Case* c) : pool_(&pool), case_(c) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), case_(other.case_) { other.case_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (case_ != nullptr) pool_->Return(case_);
    }
    Case& operator*() const { return *case_; }
    Case* operator->() const { return case_; }

   private:
    CasePool* pool_;
    Case* case_;
  };

  // Waits for a free case.
  Lease Take();
  bool shared() const { return shared_; }
  const std::string& location() const { return location_; }

 private:
  void Return(Case* c);

  std::string location_;
  bool shared_ = false;
  std::vector<std::unique_ptr<Case>> cases_;
  std::vector<Case*> free_;
  std::mutex mutex_;
  std::condition_variable returned_;
};

}  // namespace hashtriage::engine::serve
