#include "engine/serve/case_pool.h"

namespace hashtriage::engine::serve {

Result<std::unique_ptr<CasePool>> CasePool::Open(const std::string& location, std::size_t size) {
  auto pool = std::unique_ptr<CasePool>(new CasePool());
  CaseOptions options;
  options.location = location;
  options.create_if_missing = false;
  HT_ASSIGN_OR_RETURN(auto first, OpenCase(options));
  pool->location_ = first->location();
  pool->shared_ = first->shared();
  pool->cases_.push_back(std::move(first));
  const std::size_t wanted = pool->shared_ ? std::max<std::size_t>(size, 1) : 1;
  while (pool->cases_.size() < wanted) {
    HT_ASSIGN_OR_RETURN(auto more, OpenCase(options));
    pool->cases_.push_back(std::move(more));
  }
  for (auto& c : pool->cases_) pool->free_.push_back(c.get());
  return pool;
}

CasePool::Lease CasePool::Take() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !free_.empty(); });
  Case* c = free_.back();
  free_.pop_back();
  lock.unlock();
  c->Refresh();
  return Lease(*this, c);
}

void CasePool::Return(Case* c) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(c);
  }
  returned_.notify_one();
}

}  // namespace hashtriage::engine::serve
