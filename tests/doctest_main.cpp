// The test binaries' main. ctest runs one TEST_CASE per entry (doctest_discover_tests) by
// name; a name that no longer matches (a ';' splits it into two ctest entries, a filter
// escaped wrongly) would run nothing and pass. So a run whose filter selects no test case
// fails, saying so.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace {

std::atomic<int> g_started{0};

struct StartedCounter : doctest::IReporter {
  explicit StartedCounter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { ++g_started; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("started_counter", 1, StartedCounter);

bool selects_test_cases(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--test-case=", 12) == 0 || std::strncmp(argv[i], "-tc=", 4) == 0) return true;
  return false;
}

bool lists_only(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list", 6) == 0 || std::strncmp(argv[i], "-l", 2) == 0 ||
        std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-v") == 0 ||
        std::strcmp(argv[i], "--version") == 0 || std::strncmp(argv[i], "-ltc", 4) == 0)
      return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failed = context.run();
  if (context.shouldExit() || failed != 0) return failed;
  if (g_started == 0 && selects_test_cases(argc, argv) && !lists_only(argc, argv)) {
    std::fprintf(stderr, "no test case matches the filter: a renamed test, or a name ctest split at ';'\n");
    return 1;
  }
  return 0;
}
