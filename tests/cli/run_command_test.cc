// `trainctl run` and `trainctl runs` as real processes: the example project trained to the end
// and recorded; trainctl killed with SIGKILL mid-run while the run goes on and its log stays
// whole; Ctrl-C and `runs stop` ending the process group; denied or unconfirmed commands never
// starting (their canary file never appears); concurrent runs with distinct ids; a resume that
// reuses the recorded run's exact arguments. No timing assertions: waits have generous deadlines.
#include <signal.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "background_trainctl.h"
#include "exec/process_identity.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::cli {
namespace {

namespace fs = std::filesystem;
using testing::BackgroundTrainctl;
using testing::eventually;
using testing::read_text;
using testing::run_trainctl;

class RunCommand : public ::testing::Test {
 protected:
  RunCommand() : root_(fs::canonical(dir_.path()).string()) {}
  nlohmann::json runs_json() {
    auto r = run_trainctl({"runs", "list", "--json", "--project", root_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  nlohmann::json run_json(const std::string& id) {
    auto r = run_trainctl({"runs", "show", id, "--json", "--project", root_});
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  // The only run's id, once it is recorded.
  std::string only_run_id() {
    std::string id;
    eventually([&] {
      if (!fs::exists(root_ + "/.trainctl/runs.db")) return false;
      auto j = runs_json();
      if (!j.contains("runs") || j["runs"].size() != 1) return false;
      id = j["runs"][0]["id"];
      return true;
    });
    return id;
  }
  testing::TempDir dir_;
  std::string root_;
};

TEST_F(RunCommand, RunsRecordsAndReturnsTheChildsStatus) {
  auto r = run_trainctl({"run", "--yes", "--project", root_, "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "out\nerr\n");
  auto runs = runs_json()["runs"];
  ASSERT_EQ(runs.size(), 1u);
  const auto& run = runs[0];
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(run["exit_code"], 3);
  EXPECT_TRUE(run["signal"].is_null());
  EXPECT_EQ(run["argv"], nlohmann::json({"sh", "-c", "echo out; echo err >&2; exit 3"}));
  EXPECT_FALSE(run["ended_at"].is_null());
  EXPECT_EQ(read_text(run["log"].get<std::string>()), "out\nerr\n");
  auto show = run_trainctl({"runs", "show", run["id"], "--project", root_});
  EXPECT_NE(show.out.find("trainctl explain --run " + run["id"].get<std::string>()), std::string::npos) << show.out;
  auto logs = run_trainctl({"runs", "logs", run["id"], "--project", root_});
  EXPECT_EQ(logs.out, "out\nerr\n");
  auto explained = run_trainctl({"explain", "--run", run["id"], "--project", root_});
  EXPECT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find(run["log"].get<std::string>()), std::string::npos) << explained.out;
}

TEST_F(RunCommand, ADeniedCommandNeverStarts) {
  std::string canary = root_ + "/canary";
  auto r = run_trainctl({"run", "--yes", "--project", root_, "--", "sh", "-c", "touch " + canary + "; rm -rf /etc/x"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("denies"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(canary));
  EXPECT_FALSE(fs::exists(root_ + "/.trainctl/runs.db"));
}

TEST_F(RunCommand, WithoutATerminalOrYesItRefusesAndSaysHowToConfirm) {
  std::string canary = root_ + "/canary";
  auto r = run_trainctl({"run", "--project", root_, "--", "sh", "-c", "touch " + canary});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("pass --yes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(canary));
  auto j = run_trainctl({"run", "--json", "--project", root_, "--", "sh", "-c", "touch " + canary});
  EXPECT_EQ(j.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(j.out)["error"]["kind"], "refused");
  EXPECT_FALSE(fs::exists(canary));
}

TEST_F(RunCommand, SigkillOfTrainctlLeavesTheRunGoingAndTheLogWhole) {
  std::string gate = root_ + "/gate";
  // The run prints, waits for the test to open the gate (after trainctl is dead), then prints more.
  BackgroundTrainctl t({"run", "--yes", "--project", root_, "--", "sh", "-c",
                        "echo first; while [ ! -e " + gate + " ]; do sleep 0.05; done; echo second; exit 7"},
                       root_, root_ + "/trainctl");
  std::string id = only_run_id();
  ASSERT_FALSE(id.empty()) << t.err();
  std::string log = root_ + "/.trainctl/runs/" + id + "/output.log";
  ASSERT_TRUE(eventually([&] { return read_text(log) == "first\n"; })) << read_text(log);
  ASSERT_TRUE(eventually([&] { return run_json(id)["pid"].is_number(); }));
  ::kill(t.pid(), SIGKILL);
  EXPECT_EQ(t.wait(), 128 + SIGKILL);
  EXPECT_EQ(runs_json()["runs"][0]["status"], "running");  // the truth: it still runs
  int pid = run_json(id)["pid"];
  EXPECT_TRUE(exec::process_group_alive(pid));
  std::ofstream(gate) << "open";
  ASSERT_TRUE(eventually([&] { return runs_json()["runs"][0]["status"] != "running"; }));
  auto run = runs_json()["runs"][0];
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(run["exit_code"], 7);
  EXPECT_EQ(read_text(log), "first\nsecond\n");
}

TEST_F(RunCommand, CtrlCReachesTheRunThenEscalates) {
  // A run that ignores SIGINT and SIGTERM: the third Ctrl-C within the window sends SIGKILL.
  BackgroundTrainctl t({"run", "--yes", "--project", root_, "--", "sh", "-c",
                        "trap '' INT TERM; echo ready; while :; do sleep 0.05; done"},
                       root_, root_ + "/trainctl");
  std::string id = only_run_id();
  ASSERT_FALSE(id.empty()) << t.err();
  ASSERT_TRUE(eventually([&] { return t.out().find("ready") != std::string::npos; })) << t.err();
  int pid = run_json(id)["pid"];
  // Signals of one kind that arrive together merge into one, so keep pressing (each within the
  // window of the last) until trainctl has gone through the ladder and the run is gone.
  std::optional<int> status;
  for (int i = 0; i < 100 && !status; ++i) {
    ::kill(t.pid(), SIGINT);
    status = t.wait(std::chrono::seconds(0));
    if (!status) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!status) status = t.wait();
  EXPECT_EQ(status, 128 + SIGKILL) << t.err();
  EXPECT_TRUE(eventually([&] { return !exec::process_group_alive(pid); }));
  EXPECT_EQ(run_json(id)["status"], "killed");
  EXPECT_EQ(run_json(id)["signal"], SIGKILL);
}

TEST_F(RunCommand, OneCtrlCEndsAnOrdinaryRunLikeTheTerminalWould) {
  BackgroundTrainctl t({"run", "--yes", "--project", root_, "--", "sh", "-c", "echo ready; sleep 60"}, root_,
                       root_ + "/trainctl");
  std::string id = only_run_id();
  ASSERT_TRUE(eventually([&] { return t.out().find("ready") != std::string::npos; })) << t.err();
  int pid = run_json(id)["pid"];
  ::kill(t.pid(), SIGINT);
  auto status = t.wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 128 + SIGINT) << t.err();
  EXPECT_TRUE(eventually([&] { return !exec::process_group_alive(pid); }));
  EXPECT_EQ(run_json(id)["status"], "killed");
}

TEST_F(RunCommand, DetachReturnsTheIdAndStopEndsTheGroup) {
  auto r = run_trainctl({"run", "--yes", "--detach", "--project", root_, "--", "sh", "-c",
                         "sleep 60 & echo ready; wait"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(run_json(id)["status"], "running");
  ASSERT_TRUE(eventually([&] { return run_json(id)["pid"].is_number(); }));
  int pid = run_json(id)["pid"];
  auto stop = run_trainctl({"runs", "stop", id, "--json", "--project", root_});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(eventually([&] { return !exec::process_group_alive(pid); }));  // the background sleep too
  auto j = run_json(id);
  EXPECT_EQ(j["status"], "killed");
  EXPECT_EQ(j["stop_requested"], true);
  auto again = run_trainctl({"runs", "stop", id, "--project", root_});
  EXPECT_EQ(again.exit_code, 2) << again.err;
}

TEST_F(RunCommand, LogsFollowALiveRunUntilItEnds) {
  std::string gate = root_ + "/gate";
  auto r = run_trainctl({"run", "--yes", "--detach", "--project", root_, "--", "sh", "-c",
                         "echo before; while [ ! -e " + gate + " ]; do sleep 0.05; done; echo after"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = r.out.substr(0, r.out.find('\n'));
  BackgroundTrainctl logs({"runs", "logs", id, "-f", "--project", root_}, root_, root_ + "/logs");
  ASSERT_TRUE(eventually([&] { return logs.out() == "before\n"; })) << logs.out();
  EXPECT_FALSE(logs.wait(std::chrono::seconds(0)).has_value());  // still following
  std::ofstream(gate) << "open";
  EXPECT_EQ(logs.wait(), 0) << logs.err();
  EXPECT_EQ(logs.out(), "before\nafter\n");
  EXPECT_TRUE(eventually([&] { return run_json(id)["status"] == "succeeded"; }));
}

TEST_F(RunCommand, ConcurrentRunsGetDistinctIdsAndRecords) {
  std::vector<std::unique_ptr<BackgroundTrainctl>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::make_unique<BackgroundTrainctl>(
        std::vector<std::string>{"run", "--yes", "--project", root_, "--", "sh", "-c", "echo run " + std::to_string(i)},
        root_, root_ + "/t" + std::to_string(i)));
  }
  for (auto& r : runs) EXPECT_EQ(r->wait(), 0) << r->err();
  auto list = runs_json()["runs"];
  ASSERT_EQ(list.size(), 4u);
  std::set<std::string> ids, outputs;
  for (const auto& r : list) {
    ids.insert(r["id"].get<std::string>());
    outputs.insert(read_text(r["log"].get<std::string>()));
    EXPECT_EQ(r["status"], "succeeded");
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(outputs.size(), 4u);
}

TEST_F(RunCommand, ARunWhoseProcessesVanishedIsReconciledAsLost) {
  auto r = run_trainctl({"run", "--yes", "--detach", "--project", root_, "--", "sh", "-c", "echo ready; sleep 60"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = r.out.substr(0, r.out.find('\n'));
  ASSERT_TRUE(eventually([&] { return run_json(id)["pid"].is_number(); }));
  // Kill the reaper first (as a reboot would), then the run: nobody is left to record the end.
  auto show = run_json(id);
  int pid = show["pid"];
  // The reaper is the run's parent.
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  int reaper = std::stoi(stat.substr(stat.rfind(')') + 4));
  ::kill(reaper, SIGKILL);
  ::kill(-pid, SIGKILL);
  ASSERT_TRUE(eventually([&] { return !exec::process_group_alive(pid); }));
  EXPECT_EQ(runs_json()["runs"][0]["status"], "lost");
}

}  // namespace
}  // namespace trainctl::cli
