#include "cli/ssh_command.hpp"

#include <algorithm>

namespace traio::cli {

std::string shell_quote(std::string_view text) {
  const bool safe = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("/._-+=:,@%").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Status check_host(const std::string& host) {
  if (host.empty()) return Error{ErrorCode::InvalidRequest, "--host: empty host"};
  if (host.front() == '-')
    return Error{ErrorCode::InvalidRequest, "--host: a host cannot start with '-': " + host};
  return ok_status();
}

Expected<std::vector<std::string>> ssh_argv(const RemoteTarget& target,
                                           const std::optional<std::string>& traio_ssh) {
  if (auto st = check_host(target.host); !st) return st.error();
  // ssh joins the words after the host into one line for the remote shell: quote it here.
  std::string remote = shell_quote(target.traioctl) + " bridge";
  if (target.socket) remote += " --socket " + shell_quote(*target.socket);
  std::vector<std::string> argv;
  if (traio_ssh && !traio_ssh->empty()) {
    argv = {"/bin/sh", "-c", *traio_ssh + " \"$@\"", "sh"};
  } else {
    argv = {"ssh"};
  }
  // -T: no tty, the pipes carry NDJSON untouched. BatchMode: never prompt (ssh runs in a
  // process group of its own, where a prompt on the terminal would stop it).
  for (const char* arg : {"-T", "-o", "BatchMode=yes", "--"}) argv.emplace_back(arg);
  argv.push_back(target.host);
  argv.push_back(remote);
  return argv;
}

}  // namespace traio::cli
