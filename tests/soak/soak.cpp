// The soak (issue 7): for N seconds, C client threads drive one real traiod with random
// trees (nesting, flags, timeouts, `after`, restarts, output, processes that fail, die of
// signals, ignore SIGTERM or leave setsid'd and double-forked descendants), random
// cancels, finalizes, forks, timeouts and signals, and connections dropped mid-stream and
// mid-request. Then, on the quiet daemon: no zombies, no strays, fds back to the baseline
// measured after a warm-up, RSS within a bound of it, every submitted node with an
// outcome, the daemon answering. Settings come from the environment (tests/soak/soak.sh):
// TRAIO_SOAK_SECONDS (30), TRAIO_SOAK_SEED (from the clock), TRAIO_SOAK_CLIENTS (6),
// TRAIO_SOAK_RSS_BOUND_KIB (8192). The work each client generates is reproducible from
// the seed; how the threads interleave is not.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/soak/soak_checks.hpp"
#include "tests/soak/soak_client.hpp"
#include "tests/soak/soak_events.hpp"
#include "tests/soak/soak_ledger.hpp"
#include "tests/soak/soak_monitor.hpp"
#include "tests/soak/soak_proc.hpp"

namespace traio::soak {
namespace {

using namespace std::chrono_literals;

struct Settings {
  long seconds = 30;
  std::uint64_t seed = 0;
  int clients = 6;
  long rss_bound_kib = 8192;
  bool setsid = true;  // jobs leave setsid'd descendants (only with job cgroups)
};

long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

Settings settings_from_env() {
  Settings s;
  s.seconds = std::max(10L, env_number("TRAIO_SOAK_SECONDS", 30));
  const char* seed = std::getenv("TRAIO_SOAK_SEED");
  s.seed = seed != nullptr && *seed != '\0'
               ? std::strtoull(seed, nullptr, 10)
               : static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  s.clients = static_cast<int>(std::clamp(env_number("TRAIO_SOAK_CLIENTS", 6), 1L, 64L));
  s.rss_bound_kib = env_number("TRAIO_SOAK_RSS_BOUND_KIB", 8192);
  return s;
}

// The daemon's config for the soak: output logs small (jobs print up to 200 KB), the
// default history, and the default limits.
constexpr const char* kSoakConfig = R"({"history": 1000, "logs": {"max_bytes": "256KiB", "keep": 1}})";
constexpr auto kDrainLimit = 120s;

// Under AddressSanitizer (TRAIO_SANITIZE, which builds this and traiod alike) freed memory
// waits in ASan's quarantine (up to 256 MiB), so traiod's RSS says nothing about growth:
// it is printed, not checked.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsChecked = false;
#else
constexpr bool kRssIsChecked = true;
#endif

// C clients run for `seconds`, then each drains: waits for all it submitted and checks it.
void run_phase(const std::string& tag, long seconds, const Settings& settings, const std::string& socket,
               Ledger& ledger, const EventRecorder& events) {
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < settings.clients; ++i)
    clients.push_back(std::make_unique<Client>(tag + std::to_string(i), socket,
                                               settings.seed * 1000003ULL + std::hash<std::string>{}(tag) + i,
                                               settings.setsid, ledger, events));
  std::vector<std::thread> threads;
  for (auto& client : clients)
    threads.emplace_back([&stop, c = client.get()] {
      c->run(stop);
      c->drain(kDrainLimit);
    });
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
}

// Prints each problem and fails the test case when there is one; true when clean.
bool report_problems(const char* check, const std::vector<std::string>& problems) {
  for (const auto& p : problems) std::printf("soak: %s: %s\n", check, p.c_str());
  CHECK_MESSAGE(problems.empty(), check, ": ", problems.size(), " problem(s), first: ",
                problems.empty() ? "" : problems.front());
  return problems.empty();
}

void print_counts(const Counts& c) {
  std::printf("soak: nodes submitted %ld, verified with an outcome %ld (%ld by a done event after leaving the "
              "history), never created (their scope never started) %ld\n",
              c.nodes_submitted.load(), c.nodes_verified.load(), c.verified_by_events.load(), c.never_created.load());
  std::printf("soak: outcomes:");
  for (int i = 0; i < 6; ++i) std::printf(" %s %ld", kOutcomes[i], c.outcomes[i].load());
  std::printf("\nsoak: trees %ld, jobs under / %ld, forks %ld (spawns refused as closed %ld), finalizes %ld, "
              "cancels %ld (repeated %ld), timeouts set %ld, signals %ld\n",
              c.trees.load(), c.jobs.load(), c.forks.load(), c.spawns_refused_closed.load(), c.finalizes.load(),
              c.cancels.load(), c.repeated_cancels.load(), c.timeouts_set.load(), c.signals.load());
  std::printf("soak: streams dropped %ld, requests cut %ld, garbage lines %ld, own connections dropped %ld, "
              "reads %ld, requests %ld\n",
              c.streams_dropped.load(), c.requests_cut.load(), c.garbage_lines.load(), c.reconnects.load(),
              c.reads.load(), c.requests.load());
}

}  // namespace

TEST_CASE("soak -- random trees from many clients leave traiod without zombies, strays or growth") {
  Settings settings = settings_from_env();
  const long warmup = std::clamp(settings.seconds * 15 / 100, 5L, 60L);
  const long main_phase = std::max(5L, settings.seconds - warmup);
  std::printf("soak: seed %llu, %d clients, %ld s warm-up + %ld s (TRAIO_SOAK_SEED=%llu reproduces the work)\n",
              static_cast<unsigned long long>(settings.seed), settings.clients, warmup, main_phase,
              static_cast<unsigned long long>(settings.seed));
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();

  test::Daemon daemon{test::DaemonOptions(kSoakConfig)};
  const pid_t traiod = daemon.traiod_pid();
  // traiod says at its start when it has no job cgroups (process groups only).
  if (daemon.log().find("no cgroup for jobs") != std::string::npos) {
    settings.setsid = false;
    std::printf("soak: traiod has no job cgroups (process groups only): no job leaves setsid'd descendants, "
                "which that fallback cannot stop\n");
  }
  Ledger ledger;
  EventRecorder events(ledger);
  REQUIRE(events.start(daemon.socket()));
  Monitor monitor(ledger, traiod);
  REQUIRE(monitor.start(daemon.socket()));

  run_phase("w", warmup, settings, daemon.socket(), ledger, events);
  const int fds_before = settled_fd_count(traiod);
  const long rss_before = rss_kib(traiod);
  std::printf("soak: baseline after the warm-up: %d fds, RSS %ld KiB\n", fds_before, rss_before);
  std::fflush(stdout);

  run_phase("m", main_phase, settings, daemon.socket(), ledger, events);
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);

  // The daemon is quiet now: every node submitted has ended (the clients drained).
  bool clean = report_problems("ping", monitor.ping_now());
  clean = report_problems("live nodes", monitor.live_nodes()) && clean;
  clean = report_problems("zombies", zombies_of(traiod)) && clean;
  clean = report_problems("stray processes", strays_of(traiod, daemon.socket())) && clean;
  clean = report_problems("fds", fds_back_to(traiod, fds_before)) && clean;
  const int fds_after = fd_count(traiod);
  const long rss_after = rss_kib(traiod);
  std::printf("soak: ran %lld s; fds %d before, %d after; RSS %ld KiB before, %ld KiB after (bound +%ld KiB); "
              "peak during the run: %d fds, %ld KiB; slowest ping %lld ms; %ld events followed\n",
              static_cast<long long>(elapsed.count()), fds_before, fds_after, rss_before, rss_after,
              settings.rss_bound_kib, monitor.peak_fds(), monitor.peak_rss_kib(),
              static_cast<long long>(monitor.slowest_ping().count()), events.events_seen());
  const bool rss_ok = !kRssIsChecked || rss_after <= rss_before + settings.rss_bound_kib;
  if (!kRssIsChecked) std::printf("soak: RSS not checked: AddressSanitizer's quarantine holds freed memory\n");
  clean = rss_ok && clean;
  CHECK_MESSAGE(rss_ok, "traiod's RSS grew from ", rss_before, " KiB to ",
                rss_after, " KiB (bound +", settings.rss_bound_kib, " KiB)");

  monitor.stop();
  events.stop();
  const Counts& c = ledger.counts;
  print_counts(c);
  const bool all_verified = c.nodes_verified + c.never_created == c.nodes_submitted;
  clean = clean && c.nodes_submitted > 0 && all_verified && ledger.failure_count() == 0;
  CHECK_MESSAGE(c.nodes_submitted > 0, "the soak submitted nothing");
  CHECK_MESSAGE(all_verified, c.nodes_submitted, " nodes submitted, ",
                c.nodes_verified.load(), " verified with an outcome, ", c.never_created.load(), " never created");
  const auto failures = ledger.failures();
  for (const auto& f : failures) std::printf("soak: failure: %s\n", f.c_str());
  CHECK_MESSAGE(ledger.failure_count() == 0, ledger.failure_count(), " failure(s) during the run, first: ",
                failures.empty() ? "" : failures.front());
  std::printf("soak: %s\n", clean ? "clean" : "FAILED");
  std::fflush(stdout);
  if (!clean) {
    // traiod's warnings and errors (a dropped client says why), then the end of its log.
    const std::string log = daemon.log();
    std::string notable;
    for (std::size_t at = 0, nl; at < log.size(); at = nl + 1) {
      nl = log.find('\n', at);
      if (nl == std::string::npos) nl = log.size();
      const std::string line = log.substr(at, nl - at);
      if ((line.find("[warning]") != std::string::npos || line.find("[error]") != std::string::npos) &&
          notable.size() < 20000)
        notable += line + "\n";
    }
    MESSAGE("traiod's warnings and errors:\n", notable, "\nthe end of its log:\n",
            log.substr(log.size() > 10000 ? log.size() - 10000 : 0));
  }
}

}  // namespace traio::soak
