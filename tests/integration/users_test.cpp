// SPEC §2 user/group and §5: jobs as another user under a root traiod, with that user's
// ids, groups, HOME/USER and log; a non-root client runs jobs only as itself. Root only:
// skipped with a printed reason elsewhere.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string home_of(const char* user) { return ::getpwnam(user)->pw_dir; }
gid_t primary_gid_of(const char* user) { return ::getpwnam(user)->pw_gid; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::set<std::string> out;
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

// Submits `job` from a file and waits for it; returns its node.
json run_job(const Daemon& d, const json& job, const std::string& file = "job.json") {
  write_file(d.dir() / file, job.dump());
  const std::string path = d.ok({"spawn", (d.dir() / file).string()});
  d.ctl({"wait", path});
  return d.inspect(path);
}

uid_t owner_of(const fs::path& path) {
  struct stat st{};
  REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path.string());
  return st.st_uid;
}

// The capture logs of the daemon (one per job).
std::vector<fs::path> capture_logs(const Daemon& d) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(d.dir() / "logs"))
    if (entry.path().extension() == ".log") out.push_back(entry.path());
  return out;
}

// A directory nobody can reach; the daemon's temp dir is opened up for that.
fs::path make_dir(const Daemon& d, const std::string& name, fs::perms mode) {
  fs::permissions(d.dir().path(), fs::perms(0755));
  fs::create_directory(d.dir() / name);
  fs::permissions(d.dir() / name, mode);
  return d.dir() / name;
}

// traioctl run as nobody, against a daemon whose socket lets everyone connect (SPEC §5
// then decides by the peer's uid).
CtlResult ctl_as_nobody(const Daemon& d, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/sbin/runuser", "-u", "nobody", "--", traioctl_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, d.ctl_env()).finish(30s);
}

DaemonOptions open_socket() { return DaemonOptions{R"({"socket": {"mode": "0666"}})"}; }

}  // namespace

TEST_CASE("users: a job with user runs with its uid, groups, HOME, USER and LOGNAME, and owns its log") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d;
  json node = run_job(d, {{"argv", {"sh", "-c", "id -u; id -g; id -G; echo \"$HOME $USER $LOGNAME\"; pwd"}},
                          {"user", "nobody"},
                          {"cwd", "/"}});
  REQUIRE_MESSAGE(node["outcome"] == "succeeded", node.dump(2));
  auto out = lines_of(d.ok({"logs", node["path"]}));
  REQUIRE_MESSAGE(out.size() == 5, d.ok({"logs", node["path"]}));
  CHECK(out[0] == "65534");
  CHECK(out[1] == std::to_string(primary_gid_of("nobody")));
  CHECK(words(out[2]).count(std::to_string(primary_gid_of("nobody"))) == 1);
  CHECK(words(out[2]).count("0") == 0);  // none of root's groups
  CHECK(out[3] == home_of("nobody") + " nobody nobody");
  CHECK(out[4] == "/");
  auto logs = capture_logs(d);
  REQUIRE(logs.size() == 1);
  CHECK(owner_of(logs[0]) == kNobody);
}

TEST_CASE("users: a job with group runs with that group as its gid, among its groups") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d;
  const group* users = ::getgrnam("users");
  const std::string group_name = users != nullptr ? "users" : "root";
  const gid_t gid = users != nullptr ? users->gr_gid : 0;
  json node = run_job(d, {{"argv", {"sh", "-c", "id -u; id -g; id -G"}},
                          {"user", "nobody"},
                          {"group", group_name},
                          {"cwd", "/"}});
  REQUIRE_MESSAGE(node["outcome"] == "succeeded", node.dump(2));
  auto out = lines_of(d.ok({"logs", node["path"]}));
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "65534");
  CHECK(out[1] == std::to_string(gid));
  CHECK(words(out[2]).count(std::to_string(gid)) == 1);
  // By number, too.
  json by_number = run_job(d, {{"argv", {"sh", "-c", "test $(id -u) = 65534 && test $(id -g) = 4242"}},
                               {"user", "65534"},
                               {"group", "4242"},
                               {"cwd", "/"}},
                           "numbers.json");
  CHECK_MESSAGE(by_number["outcome"] == "succeeded", by_number.dump(2));
}

TEST_CASE("users: an unknown user or group fails the start, naming it -- the daemon goes on") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d;
  json user = run_job(d, {{"argv", {"true"}}, {"user", "traio-no-such-user"}});
  CHECK(user["outcome"] == "failed");
  CHECK(user["reason"] == "cannot start 'true': no user 'traio-no-such-user'");
  json group = run_job(d, {{"argv", {"true"}}, {"user", "nobody"}, {"group", "traio-no-such-group"}}, "g.json");
  CHECK(group["outcome"] == "failed");
  CHECK(group["reason"] == "cannot start 'true': no group 'traio-no-such-group'");
  CHECK(d.ctl({"ping"}).code == 0);
}

TEST_CASE("users: an output file is opened as the job's user: its own when created, refused where it may not write") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d;
  const fs::path open_dir = make_dir(d, "open", fs::perms(0777));
  json ok = run_job(d, {{"argv", {"echo", "hello"}},
                        {"user", "nobody"},
                        {"cwd", "/"},
                        {"output", {{"file", (open_dir / "out.txt").string()}}}});
  CHECK(ok["outcome"] == "succeeded");
  CHECK(read_file(open_dir / "out.txt") == "hello\n");
  CHECK(owner_of(open_dir / "out.txt") == kNobody);

  const fs::path closed_dir = make_dir(d, "closed", fs::perms(0755));  // root could write here
  json refused = run_job(d, {{"argv", {"echo", "hello"}},
                             {"user", "nobody"},
                             {"cwd", "/"},
                             {"output", {{"file", (closed_dir / "out.txt").string()}}}},
                         "refused.json");
  CHECK(refused["outcome"] == "failed");
  CHECK(refused["reason"] == "cannot start 'echo': cannot open output '" + (closed_dir / "out.txt").string() +
                                 "': Permission denied");
  CHECK_FALSE(fs::exists(closed_dir / "out.txt"));
}

TEST_CASE("users: a cwd the job's user cannot enter fails the start with the errno text") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d;
  const fs::path private_dir = make_dir(d, "private", fs::perms(0700));
  json node = run_job(d, {{"argv", {"true"}}, {"user", "nobody"}, {"cwd", private_dir.string()}});
  CHECK(node["outcome"] == "failed");
  CHECK(node["reason"] == "cannot start 'true': working directory '" + private_dir.string() + "': Permission denied");
}

TEST_CASE("users: a non-root client's jobs run as itself, and it may not name another user") {
  if (skip_unless_root_and_nobody("running jobs as another user")) return;
  Daemon d(open_socket());
  fs::permissions(d.dir().path(), fs::perms(0755));  // the socket's directory
  auto spawned = ctl_as_nobody(d, {"spawn", "--cwd", "/", "--", "sh", "-c", "id -u; echo $USER"});
  REQUIRE_MESSAGE(spawned.code == 0, spawned.describe());
  const std::string path = spawned.line();
  d.ctl({"wait", path});
  json node = d.inspect(path);
  CHECK_MESSAGE(node["outcome"] == "succeeded", node.dump(2));
  CHECK(node["owner_uid"] == kNobody);
  CHECK(lines_of(d.ok({"logs", path})) == std::vector<std::string>{"65534", "nobody"});

  write_file(d.dir() / "as-root.json", R"({"argv": ["id"], "user": "root", "cwd": "/"})");
  auto refused = ctl_as_nobody(d, {"spawn", (d.dir() / "as-root.json").string()});
  CHECK_MESSAGE(refused.code == 7, refused.describe());
  CHECK(refused.err.find("may run jobs only as itself") != std::string::npos);
  write_file(d.dir() / "as-self.json", R"({"argv": ["true"], "user": "nobody", "cwd": "/"})");
  auto self = ctl_as_nobody(d, {"spawn", "--wait", (d.dir() / "as-self.json").string()});
  CHECK_MESSAGE(self.code == 0, self.describe());
}
