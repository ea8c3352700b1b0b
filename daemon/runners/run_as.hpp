#pragma once
// Who a process job runs as (SPEC §2 user/group, §5), and a failed start in words.
#include <sys/types.h>

#include <optional>
#include <string>

#include "config/node_spec.hpp"
#include "daemon/os/credentials.hpp"
#include "daemon/os/launcher.hpp"

namespace traio {

// The identity `spec` runs as; nullopt: the daemon's own (no switch, the posix_spawn path).
// Under a root daemon a job without `user` runs as `owner_uid`, the client that submitted
// it. Read at each start, not at submit: a tree may create its user in an earlier step, and
// a restart sees today's database. An unknown user or group is an error, with `failure`
// naming it ("no user 'nobodyx'").
os::Result<std::optional<os::Identity>> job_identity(const JobSpec& spec, uid_t owner_uid, std::string& failure);

// "cannot start 'prog': ..." with what the failed step was: the working directory, the
// output file, the switch of user, or the errno text alone (exec: ENOENT, EACCES, ...).
std::string describe_start_failure(const std::string& program, const os::LaunchRequest& request,
                                   const os::LaunchFailure& failure);

}  // namespace traio
