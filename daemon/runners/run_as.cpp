#include "daemon/runners/run_as.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace traio {

os::Result<std::optional<os::Identity>> job_identity(const JobSpec& spec, uid_t owner_uid, std::string& failure) {
  const uid_t self = ::geteuid();
  const bool root = self == 0;
  // SPEC §5: under a root daemon, a non-root client's jobs run as that client.
  const uid_t fallback = root && owner_uid != 0 ? owner_uid : self;
  if (spec.user.empty() && spec.group.empty() && fallback == self) return std::optional<os::Identity>{};
  auto identity = os::resolve_identity(spec.user, spec.group, fallback);
  if (!identity) {
    const auto& e = identity.error();
    const bool unknown = e.error == boost::system::errc::no_such_file_or_directory;
    const std::string user = spec.user.empty() ? std::to_string(fallback) : spec.user;
    switch (e.part) {
      case os::IdentityPart::User:
        failure = unknown ? fmt::format("no user '{}'", user)
                          : fmt::format("cannot look up user '{}': {}", user, e.error.message());
        break;
      case os::IdentityPart::Group:
        failure = unknown ? fmt::format("no group '{}'", spec.group)
                          : fmt::format("cannot look up group '{}': {}", spec.group, e.error.message());
        break;
    }
    return e.error;
  }
  // A non-root daemon can only be itself (the server refuses other users); setgroups would
  // fail with EPERM even for its own groups, so nothing is switched.
  if (!root && identity->ids.uid == self && identity->ids.gid == ::getegid()) return std::optional<os::Identity>{};
  return std::optional<os::Identity>(std::move(*identity));
}

std::string describe_start_failure(const std::string& program, const os::LaunchRequest& request,
                                   const os::LaunchFailure& failure) {
  const std::string why = failure.error.message();
  switch (failure.step) {
    case os::LaunchStep::Cwd:
      return fmt::format("cannot start '{}': working directory '{}': {}", program, request.cwd, why);
    case os::LaunchStep::Output:
      return fmt::format("cannot start '{}': cannot open output '{}': {}", program, request.output_file, why);
    case os::LaunchStep::Credentials:
      return fmt::format("cannot start '{}': cannot switch to uid {} gid {}: {}", program, request.credentials->uid,
                         request.credentials->gid, why);
    case os::LaunchStep::Program:
    case os::LaunchStep::Setup:
    case os::LaunchStep::Exec:
      break;
  }
  return fmt::format("cannot start '{}': {}", program, why);
}

}  // namespace traio
