#pragma once
// One soak client: a thread with its own connection that submits random work, acts on it
// (cancel, finalize, timeout, signal), reads, drops connections mid-stream and mid-request,
// and, once its work is done, checks that every node it submitted ended with an outcome.
#include <atomic>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/soak/soak_connection.hpp"
#include "tests/soak/soak_events.hpp"
#include "tests/soak/soak_ledger.hpp"
#include "tests/soak/soak_workload.hpp"

namespace traio::soak {

// One thing this client submitted: a tree, a job under `/`, or a forked scope it fills.
struct Submission {
  std::string root;                          // its absolute path
  std::vector<std::string> nodes;            // every node in it, absolute
  std::vector<std::string> process_jobs;     // its process jobs, absolute
  std::vector<std::string> open_scopes;      // forked scopes still to finalize
};

class Client {
 public:
  // `tag` names this client's nodes ("w3": warm-up client 3), so paths are never reused.
  // `setsid`: whether its jobs may leave setsid'd descendants (Workload::allow_setsid).
  Client(std::string tag, std::string socket, std::uint64_t seed, bool setsid, Ledger& ledger,
         const EventRecorder& events);

  // Random actions until `stop` is set.
  void run(const std::atomic<bool>& stop);
  // Finalizes what it left open, waits up to `limit` for everything it submitted, and
  // checks each node's outcome. Then closes its connection.
  void drain(Millis limit);

 private:
  void act_once();
  void submit_tree();
  void spawn_job_under_root();
  void fork_open_scope();
  void feed_or_finalize_open_scope();
  void cancel_something();
  void set_timeout_of_something();
  void signal_something();
  void drop_a_stream();
  void cut_a_request();
  void drop_own_connection();
  void read_something();

  // Checks the oldest submissions; those that ended are verified and forgotten.
  void verify_ended(std::size_t at_most);
  // True when `s` has ended (and is then verified), false while it is live.
  bool verify(const Submission& s);
  void verify_by_events(const Submission& s, const std::string& why);
  bool ended_without_creating(const std::string& node, const nlohmann::json& by_path) const;

  // A call on the main connection; an error outside `expected` codes (or a lost
  // connection) is a failure. Reconnects when the connection is gone.
  CallResult request(const std::string& op, const nlohmann::json& args,
                     std::initializer_list<const char*> expected = {});
  void reconnect();
  void record(Submission s, long nodes);
  Submission* random_live_submission();
  std::string next_name(char kind);

  std::string tag_;
  std::string socket_;
  Workload work_;
  Ledger& ledger_;
  const EventRecorder& events_;
  Connection conn_;
  std::deque<Submission> live_;   // submitted, not yet verified ended; oldest first
  long counter_ = 0;
};

}  // namespace traio::soak
