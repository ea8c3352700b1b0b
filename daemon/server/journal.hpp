#pragma once
// The crash journal (DESIGN: durability; format in journal_records.hpp). Every node the
// tree accepts, every run of a job (pid, start time, cgroup) and every outcome is appended
// to <state_dir>/journal. Records are buffered and written once per turn of the loop;
// commit() writes and fdatasyncs them, and an op that accepts a submission calls it before
// its reply. When the file has grown past twice its last snapshot, it is replaced by a new
// snapshot of the tree (live nodes, and ended ones within history), so it stays bounded.
// After a crash, recover_journal() (journal_recovery.hpp) reads it back.
#include <cstdint>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "daemon/os/journal_file.hpp"
#include "daemon/runners/supervisor.hpp"
#include "daemon/server/journal_records.hpp"

namespace traio {

class Journal {
 public:
  // The file must be open; start() writes the first snapshot.
  Journal(boost::asio::io_context& io, Supervisor& supervisor, os::JournalFile file);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Replaces the file with a snapshot of the tree as it is (restored nodes included), led
  // by a record of this run, then follows the tree's events.
  Status start();
  // Writes what is buffered and fdatasyncs it: the records so far survive a crash of the
  // machine. An error (a full disk) is `internal` with the errno text; what was not
  // written is written by a snapshot once writing works again.
  Status commit();
  // Before a submission is created: once a write has failed, tries again (a snapshot) and
  // says whether the journal can hold a new node, so that a full disk refuses a spawn
  // before its process starts rather than cancelling it just after.
  Status ready();

  std::uint64_t file_size() const { return file_.size(); }
  std::uint64_t snapshots() const { return snapshots_; }

 private:
  void on_event(const LifecycleEvent& event);
  void add(const nlohmann::json& record);
  void schedule_flush();
  Status flush();
  Status write_snapshot();
  std::string snapshot() const;

  boost::asio::io_context& io_;
  Supervisor& supervisor_;
  os::JournalFile file_;
  Supervisor::ListenerId listener_ = 0;
  std::string buffer_;
  bool flush_scheduled_ = false;
  bool needs_snapshot_ = false;  // a write failed: the file misses records
  bool failing_ = false;         // said once per episode of failures
  std::uint64_t snapshot_size_ = 0;
  std::uint64_t snapshots_ = 0;
  std::unordered_map<NodeId, journal::StartRecord> runs_;  // the current run of live jobs
  journal::RunRecord self_;
  // Read by a destroyed Journal's posted flush: it must not touch a freed object.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace traio
