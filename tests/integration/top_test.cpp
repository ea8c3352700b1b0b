// SPEC §6 "Watching" end to end: `traioctl top` on a real terminal (tmux: keys sent, the
// pane captured) against a real traiod, and its plain output when stdout is a pipe.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
namespace fs = std::filesystem;

namespace {

bool have_tmux() {
  static const bool found = Proc({"tmux", "-V"}, {}).finish(5s).code == 0;
  return found;
}

#define SKIP_WITHOUT_TMUX()                                                        \
  if (!have_tmux()) {                                                              \
    MESSAGE("skipped: tmux is not installed (scripts/test_packages.sh installs it)"); \
    return;                                                                        \
  }

// A tmux server of its own (-L: a private socket), one 120x30 window running `command`.
// Its environment carries the daemon's socket, so traioctl in it finds the daemon; the
// destructor kills the server and waits for it to go (the daemon's fixture looks for
// processes that carry its socket path).
class Tmux {
 public:
  Tmux(const Daemon& d, const std::vector<std::string>& command, bool colour = false)
      : env_(d.ctl_env({{"NO_COLOR", colour ? "" : "1"}})) {  // empty: as unset (no-color.org)
    static std::atomic<int> counter{0};
    name_ = "traio-top-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::vector<std::string> args = {"new-session", "-d", "-s", "top", "-x", "120", "-y", "30"};
    args.insert(args.end(), command.begin(), command.end());
    const CtlResult r = run(args);
    REQUIRE_MESSAGE(r.code == 0, "tmux new-session: ", r.describe());
    server_pid_ = std::stoi(run({"display-message", "-p", "#{pid}"}).line());
  }
  ~Tmux() {
    run({"kill-server"});
    for (int i = 0; i < 250 && ::kill(server_pid_, 0) == 0; ++i) ::usleep(20'000);
  }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  CtlResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"tmux", "-L", name_});
    return Proc(args, env_).finish(10s);
  }
  void keys(const std::vector<std::string>& keys) const {
    std::vector<std::string> args = {"send-keys", "-t", "top:"};
    args.insert(args.end(), keys.begin(), keys.end());
    run(args);
  }
  std::string capture() const { return run({"capture-pane", "-p", "-t", "top:"}).out; }
  // With the escapes of colours and attributes (-e).
  std::string capture_escapes() const { return run({"capture-pane", "-p", "-e", "-t", "top:"}).out; }
  std::string format(const std::string& f) const { return run({"display-message", "-p", "-t", "top:", f}).line(); }
  // Polls the pane until `pred` holds; returns the last capture either way.
  std::string wait_for(const std::function<bool(const std::string&)>& pred, Millis limit = 10s) const {
    const auto until = Clock::now() + limit;
    std::string screen = capture();
    while (!pred(screen) && Clock::now() < until) {
      ::usleep(100'000);
      screen = capture();
    }
    return screen;
  }

 private:
  Env env_;
  std::string name_;
  pid_t server_pid_ = -1;
};

// The pane's line for the node named `name` ("─ name "), "" when there is none.
std::string row_of(const std::string& screen, const std::string& name) {
  std::istringstream lines(screen);
  for (std::string line; std::getline(lines, line);)
    if (line.find("─ " + name + " ") != std::string::npos) return line;
  return "";
}

// The shell's line after top ("top-exited-N"), not the command line that asked for it.
bool exited(const std::string& screen) {
  const std::string mark = "\ntop-exited-";
  for (auto at = screen.find(mark); at != std::string::npos; at = screen.find(mark, at + 1))
    if (at + mark.size() < screen.size() && std::isdigit(static_cast<unsigned char>(screen[at + mark.size()]))) return true;
  return false;
}

auto row_says(const std::string& name, const std::string& word) {
  return [name, word](const std::string& screen) { return row_of(screen, name).find(word) != std::string::npos; };
}

std::string top_command(const Daemon&) { return traioctl_bin(); }

void make_tree(const Daemon& d, const fs::path& release) {
  d.ok({"fork", "--name", "t"});
  d.ok({"spawn", "--scope", "/t", "--name", "server", "--", "sh", "-c", "echo serving on 8080; exec sleep 600"});
  d.ok({"spawn", "--scope", "/t", "--name", "batch", "--", "sh", "-c",
        "echo waiting; while [ ! -e " + release.string() + " ]; do sleep 0.05; done; echo finished"});
}

}  // namespace

TEST_CASE("top: shows a row per node, then a job's end without restarting top") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  const fs::path release = d.dir() / "release";
  make_tree(d, release);
  Tmux tmux(d, {top_command(d), "top", "--all"});
  std::string screen = tmux.wait_for(row_says("batch", "waiting"));
  CHECK(screen.find("traio top") != std::string::npos);
  CHECK(row_of(screen, "t").find("open") != std::string::npos);
  CHECK(row_of(screen, "server").find("running") != std::string::npos);
  CHECK(row_of(screen, "server").find("serving on 8080") != std::string::npos);
  CHECK(row_of(screen, "batch").find("running") != std::string::npos);
  write_file(release, "");
  screen = tmux.wait_for(row_says("batch", "succeeded"));
  CHECK_MESSAGE(row_of(screen, "batch").find("succeeded") != std::string::npos, screen);
  CHECK(row_of(screen, "batch").find("finished") != std::string::npos);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: a job spawned after top started appears in its place") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {top_command(d), "top"});
  tmux.wait_for(row_says("batch", "running"));
  d.ok({"spawn", "--scope", "/t", "--name", "late", "--", "sleep", "600"});
  const std::string screen = tmux.wait_for(row_says("late", "running"));
  CHECK_MESSAGE(row_of(screen, "late").find("running") != std::string::npos, screen);
  CHECK(screen.find("└─ late") != std::string::npos);  // last child of /t
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: c then y cancels the selected job") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {top_command(d), "top", "--all"});
  tmux.wait_for(row_says("batch", "running"));
  tmux.keys({"j", "j"});  // from / to t to server
  std::string screen = tmux.wait_for([](const std::string& s) { return row_of(s, "server").rfind("> ", 0) == 0; });
  REQUIRE_MESSAGE(row_of(screen, "server").rfind("> ", 0) == 0, screen);
  tmux.keys({"c"});
  screen = tmux.wait_for([](const std::string& s) { return s.find("cancel /t/server?") != std::string::npos; });
  CHECK_MESSAGE(screen.find("cancel /t/server?") != std::string::npos, screen);
  tmux.keys({"y"});
  screen = tmux.wait_for(row_says("server", "cancelled"));
  CHECK_MESSAGE(row_of(screen, "server").find("cancelled") != std::string::npos, screen);
  CHECK(d.inspect("/t/server")["outcome"] == "cancelled");
  CHECK(d.inspect("/t/batch")["state"] == "running");
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: p pauses the selected job and p again resumes it") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {top_command(d), "top"});
  tmux.wait_for(row_says("batch", "running"));
  tmux.keys({"Down", "Down"});
  tmux.wait_for([](const std::string& s) { return row_of(s, "server").rfind("> ", 0) == 0; });
  tmux.keys({"p"});
  std::string screen = tmux.wait_for(row_says("server", "paused"));
  CHECK_MESSAGE(row_of(screen, "server").find("paused") != std::string::npos, screen);
  CHECK(d.inspect("/t/server")["state"] == "paused");
  tmux.keys({"p"});
  screen = tmux.wait_for(row_says("server", "running"));
  CHECK_MESSAGE(row_of(screen, "server").find("running") != std::string::npos, screen);
  CHECK(d.inspect("/t/server")["state"] == "running");
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: r on a live job says so and restarts nothing -- on an ended job it runs again") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  const fs::path release = d.dir() / "release";
  make_tree(d, release);
  Tmux tmux(d, {top_command(d), "top", "--all"});
  tmux.wait_for(row_says("batch", "running"));
  tmux.keys({"j", "j", "j", "r"});
  std::string screen = tmux.wait_for([](const std::string& s) { return s.find("restart runs an ended node") != std::string::npos; });
  CHECK_MESSAGE(screen.find("/t/batch is running") != std::string::npos, screen);
  write_file(release, "");
  tmux.wait_for(row_says("batch", "succeeded"));
  tmux.keys({"r"});
  screen = tmux.wait_for([](const std::string& s) { return s.find("restarted /t/batch") != std::string::npos; });
  CHECK_MESSAGE(screen.find("restarted /t/batch") != std::string::npos, screen);
  CHECK(d.inspect("/t/batch")["generation"] == 2);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: l shows the selected job's log lines and q goes back to the tree") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {top_command(d), "top"});
  tmux.wait_for(row_says("server", "serving"));
  tmux.keys({"j", "j", "l"});
  std::string screen = tmux.wait_for([](const std::string& s) { return s.find("logs of /t/server") != std::string::npos; });
  CHECK_MESSAGE(screen.find("serving on 8080") != std::string::npos, screen);
  tmux.keys({"q"});
  screen = tmux.wait_for([](const std::string& s) { return s.find("RESTARTS") != std::string::npos; });
  CHECK(screen.find("logs of") == std::string::npos);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: q exits 0 and gives the terminal back as it was") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {"sh"});
  tmux.keys({"stty -a > " + (d.dir() / "before").string() + "; " + top_command(d) + " top; echo top-exited-$?", "Enter"});
  tmux.wait_for(row_says("batch", "running"));
  CHECK(tmux.format("#{alternate_on}") == "1");
  tmux.keys({"q"});
  const std::string screen = tmux.wait_for([](const std::string& s) { return exited(s); });
  CHECK_MESSAGE(screen.find("top-exited-0") != std::string::npos, screen);
  CHECK(tmux.format("#{alternate_on}") == "0");
  CHECK(tmux.format("#{cursor_flag}") == "1");
  tmux.keys({"stty -a > " + (d.dir() / "after").string(), "Enter"});
  REQUIRE(wait_for_file(d.dir() / "after"));
  ::usleep(200'000);
  CHECK(read_file(d.dir() / "after") == read_file(d.dir() / "before"));
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: Ctrl-C also quits and restores the terminal") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {"sh"});
  tmux.keys({top_command(d) + " top; echo top-exited-$?", "Enter"});
  tmux.wait_for(row_says("batch", "running"));
  tmux.keys({"C-c"});
  const std::string screen = tmux.wait_for([](const std::string& s) { return exited(s); });
  CHECK_MESSAGE(screen.find("top-exited-0") != std::string::npos, screen);
  CHECK(tmux.format("#{alternate_on}") == "0");
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: a resized terminal gets a frame of its new width") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {top_command(d), "top"});
  std::string screen = tmux.wait_for(row_says("server", "serving"));
  std::size_t widest = 0;
  for (std::istringstream lines(screen); std::getline(lines, screen);) widest = std::max(widest, screen.size());
  CHECK(widest > 70);
  tmux.run({"resize-window", "-t", "top:", "-x", "60", "-y", "20"});
  screen = tmux.wait_for([](const std::string& s) { return s.find("q quit") == std::string::npos && s.find("traio top") != std::string::npos; });
  // The key help no longer fits: it is cut with an ellipsis at 60 columns.
  CHECK_MESSAGE(screen.find("…") != std::string::npos, screen);
  CHECK(row_of(screen, "server").find("running") != std::string::npos);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: colours on a terminal, none with NO_COLOR") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  {
    Tmux coloured(d, {top_command(d), "top"}, /*colour=*/true);
    coloured.wait_for(row_says("server", "running"));
    const std::string screen = coloured.capture_escapes();
    CHECK_MESSAGE(screen.find("\033[36mrunning") != std::string::npos, screen);
  }
  Tmux plain(d, {top_command(d), "top"});
  plain.wait_for(row_says("server", "running"));
  CHECK(plain.capture_escapes().find("\033[36m") == std::string::npos);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: the daemon stopping ends top and gives the terminal back") {
  SKIP_WITHOUT_TMUX();
  Daemon d;
  make_tree(d, d.dir() / "release");
  Tmux tmux(d, {"sh"});
  tmux.keys({top_command(d) + " top; echo top-exited-$?", "Enter"});
  tmux.wait_for(row_says("batch", "running"));
  d.ok({"shutdown"});
  const std::string screen = tmux.wait_for([](const std::string& s) { return exited(s); });
  CHECK_MESSAGE(screen.find("traiod stopped") != std::string::npos, screen);
  CHECK(tmux.format("#{alternate_on}") == "0");
}

TEST_CASE("top: stdout not a terminal -- the tree once as plain text, no escapes, exit 0") {
  Daemon d;
  make_tree(d, d.dir() / "release");
  REQUIRE(d.inspect_until("/t/server", [](const nlohmann::json& n) { return n["state"] == "running"; })["state"] == "running");
  const CtlResult r = d.ctl({"top"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  CHECK(r.out.find('\033') == std::string::npos);
  CHECK(r.out.find("LAST LOG LINE") != std::string::npos);
  CHECK(row_of(r.out, "server").find("running") != std::string::npos);
  CHECK(row_of(r.out, "batch").find("running") != std::string::npos);
  CHECK(r.out.find("events") == std::string::npos);  // one frame: no event rate
  d.ok({"cancel", "/t"});
}

TEST_CASE("top --frames -- plain frames every interval while it follows the events, then exit 0") {
  Daemon d;
  const fs::path release = d.dir() / "release";
  make_tree(d, release);
  auto top = d.ctl_async({"top", "--all", "--frames", "4", "--interval", "0.5"});
  ::usleep(300'000);
  write_file(release, "");
  const CtlResult r = top->finish(30s);
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  std::size_t frames = 0;
  for (auto at = r.out.find("traio top"); at != std::string::npos; at = r.out.find("traio top", at + 1)) ++frames;
  CHECK(frames == 4);
  CHECK(r.out.find("events ") != std::string::npos);
  d.ok({"cancel", "/t"});
}

TEST_CASE("top: --json is a usage error") {
  Daemon d;
  CHECK(d.ctl({"--json", "top"}).code == 2);
}
