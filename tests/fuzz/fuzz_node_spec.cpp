// libFuzzer target: a job or tree file's bytes (traioctl spawn JOB.json, traioctl run,
// boot.d trees), through the JSON limits and parse_node_spec, as boot_trees.cpp and
// traioctl's spec_input.cpp read them. The same parser reads the `job` and `tree` args of
// spawn and submit (fuzz_request covers those).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/json_limits.hpp"
#include "common/node_path.hpp"
#include "config/node_spec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace traio;
using nlohmann::json;

namespace {

void check_refusal(const ParseErrors& errors) {
  FUZZ_CHECK(!errors.empty(), "a refusal without an error");
  for (const ParseError& e : errors) FUZZ_CHECK(!e.message.empty(), e.path);
  FUZZ_CHECK(!format_parse_errors(errors).empty(), "empty message");
}

void check_flags_and_name(const std::string& name, const std::optional<Duration>& timeout) {
  FUZZ_CHECK(name.empty() || is_valid_name(name), name);
  if (timeout) FUZZ_CHECK(*timeout >= Duration(0) && *timeout <= kMaxDuration, name);
}

// An accepted job is written back (inspect, the journal) by to_json, which must parse back
// to the same job: the JSON of the re-parsed job is the JSON we started from.
void check_job(const JobSpec& job) {
  check_flags_and_name(job.name, job.timeout);
  if (job.kind == JobKind::Process) {
    FUZZ_CHECK(!job.argv.empty(), "a process job without argv");
    for (const std::string& arg : job.argv) FUZZ_CHECK(arg.find('\0') == std::string::npos, "NUL in argv");
  }
  const json written = to_json(job);
  auto reread = parse_node_spec(written, SpecKind::Job);
  if (auto* errors = std::get_if<ParseErrors>(&reread))
    FUZZ_CHECK(false, written.dump(-1, ' ', false, json::error_handler_t::replace) + " -> " +
                          format_parse_errors(*errors));
  const auto& again = std::get<NodeSpec>(reread);
  FUZZ_CHECK(!again.is_scope(), "a job read back as a scope");
  FUZZ_CHECK(to_json(std::get<JobSpec>(again.node)) == written, "to_json is not a fixed point");
}

void check_node(const NodeSpec& spec) {
  // The source is kept for inspect and the journal: it must dump whatever it holds.
  (void)spec.source.dump(-1, ' ', false, json::error_handler_t::replace);
  if (const auto* job = std::get_if<JobSpec>(&spec.node)) {
    check_job(*job);
    return;
  }
  const auto& scope = std::get<ScopeSpec>(spec.node);
  check_flags_and_name(scope.name, scope.timeout);
  FUZZ_CHECK(!spec.source.contains("children"), "a scope's source keeps its children");
  for (const NodeSpec& child : scope.children) check_node(child);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_json_limited(text, JsonLimits{});  // the daemon's default limits
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty(), "a JSON refusal without a message");
    return 0;
  }
  for (SpecKind kind : {SpecKind::Job, SpecKind::Tree}) {
    auto spec = parse_node_spec(*parsed, kind);
    if (auto* errors = std::get_if<ParseErrors>(&spec)) {
      check_refusal(*errors);
      continue;
    }
    const auto& node = std::get<NodeSpec>(spec);
    if (kind == SpecKind::Job) FUZZ_CHECK(!node.is_scope(), "a job file read as a tree");
    check_node(node);
  }
  return 0;
}
