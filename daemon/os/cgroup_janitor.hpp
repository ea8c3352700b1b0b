#pragma once
// Removes the cgroups of ended jobs on a thread of its own. The kernel takes ~50 µs to tear
// down a cgroup directory (its files, its css); on the event loop, 1000 jobs stopping together
// waited a fifth of their stop for it, while the second core idled. The thread touches
// nothing but the directories handed to it, so the loop stays the only owner of the core.
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/os/cgroup.hpp"

namespace traio::os {

class CgroupJanitor {
 public:
  CgroupJanitor();
  // Removes what is still queued, then joins: the jobs' parent cgroup can go after it.
  ~CgroupJanitor();
  CgroupJanitor(const CgroupJanitor&) = delete;
  CgroupJanitor& operator=(const CgroupJanitor&) = delete;

  // Takes `dir`; it is removed soon after (what lives in it killed first, as ~CgroupDir does).
  void remove(CgroupDir dir);
  // Blocks until every directory handed over so far is gone (a job restarted under the same
  // name needs the old one removed first).
  void drain();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::vector<CgroupDir> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace traio::os
