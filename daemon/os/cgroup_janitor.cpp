#include "daemon/os/cgroup_janitor.hpp"

#include <utility>

namespace traio::os {

CgroupJanitor::CgroupJanitor() : thread_([this] { run(); }) {}

CgroupJanitor::~CgroupJanitor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void CgroupJanitor::remove(CgroupDir dir) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(dir));
  }
  work_.notify_one();
}

void CgroupJanitor::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void CgroupJanitor::run() {
  std::vector<CgroupDir> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    batch.swap(queue_);
    busy_ = true;
    lock.unlock();
    batch.clear();  // ~CgroupDir: kill what is left, rmdir
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace traio::os
