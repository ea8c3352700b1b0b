#pragma once
// A small protocol client (SPEC §5, docs/protocol.md): one connection (the Unix socket, or
// ssh to a remote `traioctl bridge`: cli/transport.hpp), request ids per connection, many requests in flight. Replies and stream events are read line by line
// (no cap on a line: `ps` of 10k nodes is one large reply) and dispatched by id.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "cli/transport.hpp"
#include "common/expected.hpp"

namespace traio::cli {

// What became of one request.
enum class ReplyStatus { Ok, DaemonError, Lost };
std::string_view to_string(ReplyStatus status);

// How an ok result comes back: parsed, or as the daemon's JSON text (--json prints it as
// it is, without parsing half a megabyte of ps).
enum class ResultForm { Parsed, Text };

struct Reply {
  ReplyStatus status = ReplyStatus::Lost;
  nlohmann::json result;    // Ok: the result object (ResultForm::Parsed)
  std::string result_text;  // Ok: the result's JSON text (ResultForm::Text)
  Error error;              // DaemonError: the daemon's error
};

using EventFn = std::function<void(const nlohmann::json& event)>;
using ReplyFn = std::function<void(const Reply& reply)>;

class Client {
 public:
  explicit Client(boost::asio::io_context& io);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Error message is the errno text ("No such file or directory").
  Status connect(const std::string& socket_path);
  // Speaks over `transport` instead (ssh to a remote bridge).
  void attach(std::unique_ptr<Transport> transport);

  // Sends a request and runs the loop (signals and timers included) until its reply.
  // Events of this request go to `on_event`; other requests' lines are dispatched meanwhile.
  Reply call(const std::string& op, const nlohmann::json& args, EventFn on_event = {});
  // The same, the result as text (ResultForm::Text).
  Reply call_for_text(const std::string& op, const nlohmann::json& args);

  // Sends a request without waiting; `on_reply` (if any) runs when its reply comes while
  // the loop runs inside call(). Returns the request id.
  std::int64_t send(const std::string& op, const nlohmann::json& args, EventFn on_event = {},
                    ReplyFn on_reply = {}, ResultForm form = ResultForm::Parsed);

  // Runs the loop until the reply of a request sent without `on_reply` (a follow stream
  // that other requests' handlers run beside: `top`).
  Reply wait(std::int64_t id) { return wait_for(id); }

  bool connected() const { return !lost_; }

 private:
  struct Pending {
    EventFn on_event;
    ReplyFn on_reply;  // empty: call() collects the reply
    ResultForm form = ResultForm::Parsed;
  };

  Reply wait_for(std::int64_t id);
  // An ok reply of a request that asked for ResultForm::Text, taken without parsing.
  bool dispatch_text(std::string& line);  // takes `line` when it is one
  void deliver(std::int64_t id, Reply reply);

  bool read_more();  // false when the connection is gone
  void dispatch(std::string line);
  // The connection is gone (or refused, with the daemon's error): every pending request fails.
  void fail_all_pending(const Reply& with = Reply{});

  boost::asio::io_context& io_;
  std::unique_ptr<Transport> transport_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ known to hold no newline
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, Pending> pending_;
  std::map<std::int64_t, Reply> replies_;
  bool lost_ = false;
};

}  // namespace traio::cli
