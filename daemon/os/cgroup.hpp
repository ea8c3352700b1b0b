#pragma once
// cgroup v2 leaves for jobs (DESIGN: whole-tree kill). A process group misses descendants
// that called setsid; a cgroup holds every descendant, and `cgroup.kill` kills them all.
// Used when the daemon's own cgroup v2 directory is writable; the caller falls back to the
// process group otherwise.
#include <sys/types.h>

#include <string>
#include <string_view>

#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

// The cgroup v2 directory this process belongs to ("0::/x" of /proc/self/cgroup under the
// cgroup2 mount point of /proc/self/mountinfo). ENOENT when there is no cgroup v2.
Result<std::string> own_cgroup_dir();

// Writes `pid` into `dir`/cgroup.procs.
Result<void> move_to_cgroup(const std::string& dir, pid_t pid) noexcept;

class CgroupDir {
 public:
  // mkdir `path` (0755). EEXIST is an error: a leaf must be ours alone.
  static Result<CgroupDir> create(std::string path);
  // mkdir `leaf` in `parent`, which must outlive the result: once drop_fd() has closed the
  // leaf's own fd, its files are opened as "leaf/file" relative to the parent's fd.
  static Result<CgroupDir> create_in(const CgroupDir& parent, std::string leaf);

  CgroupDir() = default;
  CgroupDir(CgroupDir&& other) noexcept;
  CgroupDir& operator=(CgroupDir&& other) noexcept;
  CgroupDir(const CgroupDir&) = delete;
  CgroupDir& operator=(const CgroupDir&) = delete;
  // Kills what is left, waits briefly for it to die, and removes the directory.
  ~CgroupDir();

  bool valid() const noexcept { return !path_.empty(); }
  const std::string& path() const noexcept { return path_; }

  // The directory's O_PATH fd, held from creation on: CLONE_INTO_CGROUP takes it, and the
  // files below are opened relative to it (a job's stop and reap open two of them; walking
  // the whole path each time was a tenth of the daemon's CPU when 1000 jobs stop).
  int fd() const noexcept { return dir_.get(); }
  // Closes the directory's own fd once the job's process is in it (CLONE_INTO_CGROUP was its
  // one use that needs it): a leaf made by create_in then costs the daemon no fd while the
  // job runs (with its pidfd, log and pipes a job holds five, and 10,000 jobs must fit in a
  // hard limit of 20,000 where traiod cannot raise it). A no-op for other directories.
  void drop_fd() noexcept {
    if (parent_fd_ >= 0) dir_.reset();
  }

  Result<void> add(pid_t pid) noexcept;           // writes cgroup.procs
  Result<void> kill_all() noexcept;              // writes 1 to cgroup.kill (SIGKILL to all)
  Result<void> freeze(bool frozen) noexcept;      // writes 1 or 0 to cgroup.freeze (SPEC §6 pause)
  Result<void> signal_all(int signo) noexcept;    // kill(2) on each pid of cgroup.procs; ESRCH normal
  // Calls `each` with every pid of cgroup.procs, read at once (no allocation for a few pids).
  template <typename F>
  Result<void> for_each_pid(F&& each) const noexcept;
  Result<bool> populated() noexcept;              // "populated 1" in cgroup.events
  Result<void> remove() noexcept;                 // rmdir; EBUSY while a process lives in it
  // Forgets the directory without killing or removing anything (it holds something we must
  // not kill).
  void release() noexcept {
    path_.clear();
    dir_.reset();
    parent_fd_ = -1;
  }

 private:
  CgroupDir(std::string path, UniqueFd dir) : path_(std::move(path)), dir_(std::move(dir)) {}
  void destroy() noexcept;
  // Where `file` of this directory opens from: our own fd, or "leaf/file" relative to the
  // parent's after drop_fd(). `buffer` holds the relative path; false when it does not fit.
  bool locate(const char* file, int& dirfd, const char*& relative, char (&buffer)[256]) const noexcept;
  // Reads `file` of this directory whole into `out`; false with errno set when it cannot.
  bool read_file(const char* file, std::string& out) const noexcept;
  Result<void> write_file(const char* file, std::string_view text) const noexcept;

  std::string path_;
  UniqueFd dir_;
  int parent_fd_ = -1;  // create_in: the parent's fd (not ours to close)
  std::string leaf_;    // create_in: our name in the parent
};

template <typename F>
Result<void> CgroupDir::for_each_pid(F&& each) const noexcept {
  std::string text;
  if (!read_file("cgroup.procs", text)) return last_errno();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    pid_t pid = 0;
    for (; p < end && *p >= '0' && *p <= '9'; ++p) pid = pid * 10 + (*p - '0');
    if (pid > 0) each(pid);
    for (; p < end && (*p < '0' || *p > '9'); ++p) {
    }
  }
  return {};
}

}  // namespace traio::os
