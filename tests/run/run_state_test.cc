#include "run/run_state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "core/files.h"
#include "core/private_paths.h"
#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

namespace fs = std::filesystem;
using testing::MakePart;
using testing::ModeOf;
using testing::Slurp;
using testing::TempDir;

TEST_CASE("RunState::Open creates the documented layout, every directory 0700") {
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "boot-a");
  REQUIRE(state.ok());
  const StateLayout& l = state->layout();
  CHECK(l.instance_dir == t / "state/instances/i-1");
  CHECK(l.once_dir == t / "state/once");
  for (const std::string& dir :
       {l.state_dir, t / "state/instances", l.instance_dir, l.scripts_dir, l.boothooks_dir,
        l.logs_dir, l.instance_dir + "/markers", l.per_instance_dir, l.per_boot_dir, l.once_dir}) {
    INFO(dir);
    CHECK(ModeOf(dir) == 0700);
  }
}

TEST_CASE("RunState refuses instance ids that could leave the instances directory") {
  TempDir t;
  for (const char* id : {"..", ".", "../x", "i-1/..", "a b", "i-\n"}) {
    INFO(id);
    Result<RunState> state = RunState::Open(t / "state", id, "b");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().code() == ErrorCode::kInvalidInput);
  }
  Result<RunState> unknown = RunState::Open(t / "state", "", "b");
  REQUIRE(unknown.ok());
  CHECK(unknown->layout().instance_dir == t / "state/instances/no-instance-id");
}

TEST_CASE("RunState fails safely on a symlink planted anywhere in the state directory") {
  const char* planted[] = {"state",
                           "state/instances",
                           "state/instances/i-1",
                           "state/instances/i-1/scripts",
                           "state/instances/i-1/markers",
                           "state/once",
                           "state/instances/i-1/logs"};
  for (const char* where : planted) {
    INFO(where);
    TempDir t;
    fs::create_directories(t / "victim");
    fs::path link = t / where;
    fs::create_directories(link.parent_path());
    fs::create_directory_symlink(t / "victim", link);
    Result<RunState> state = RunState::Open(t / "state", "i-1", "b");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().code() == ErrorCode::kUnsafePath);
    CHECK(fs::is_empty(t / "victim"));
  }
}

TEST_CASE("RunState refuses a state directory another user could change, never chmods it") {
  SECTION("a subdirectory others can write to: what they planted is not trusted") {
    TempDir t;
    REQUIRE(RunState::Open(t / "state", "i-1", "b").ok());
    for (const char* where : {"state", "state/once", "state/instances/i-1/markers/per-boot"}) {
      INFO(where);
      ::chmod((t / where).c_str(), 0777);
      Result<RunState> state = RunState::Open(t / "state", "i-1", "b");
      REQUIRE_FALSE(state.ok());
      CHECK(state.error().code() == ErrorCode::kUnsafePath);
      CHECK(state.error().ToString() ==
            "preparing the state directory: " + t / where + " is writable by group or others");
      CHECK(ModeOf(t / where) == 0777);
      ::chmod((t / where).c_str(), 0700);
    }
  }
  SECTION("an ancestor others can write to") {
    TempDir t;
    fs::create_directory(t / "shared");
    ::chmod((t / "shared").c_str(), 0777);
    Result<RunState> state = RunState::Open(t / "shared/state", "i-1", "b");
    REQUIRE_FALSE(state.ok());
    CHECK(state.error().code() == ErrorCode::kUnsafePath);
    CHECK(fs::is_empty(t / "shared"));
  }
}

TEST_CASE("RunState::Open removes files an earlier run left, but not symlink targets") {
  TempDir t;
  REQUIRE(RunState::Open(t / "state", "i-1", "b").ok());
  std::string scripts = t / "state/instances/i-1/scripts";
  REQUIRE(WriteNewFile(scripts + "/001-old", "x", 0700).ok());
  REQUIRE(WriteNewFile(t / "precious", "keep", 0600).ok());
  fs::create_symlink(t / "precious", scripts + "/002-link");
  REQUIRE(RunState::Open(t / "state", "i-1", "b").ok());
  CHECK(fs::is_empty(scripts));
  CHECK(Slurp(t / "precious") == "keep");
}

TEST_CASE("RemoveStaleWorkDirs removes killed runs' work directories, nothing else") {
  TempDir t;
  std::string state = t / "state";
  REQUIRE(MakePrivateDir(state).ok());
  REQUIRE(MakePrivateDir(state + "/work-dead1deadx").ok());
  REQUIRE(WriteNewFile(state + "/work-dead1deadx/body", "fetched", 0600).ok());
  REQUIRE(MakePrivateDir(state + "/work-dead2deadx").ok());
  REQUIRE(MakePrivateDir(state + "/work-nestednest").ok());
  REQUIRE(MakePrivateDir(state + "/work-nestednest/sub").ok());
  // `--state-dir .` in a directory of the user's own: their names are not ours.
  REQUIRE(MakePrivateDir(state + "/work-2024").ok());
  REQUIRE(WriteNewFile(state + "/work-2024/report.txt", "theirs", 0600).ok());
  REQUIRE(MakePrivateDir(state + "/work-notesnotes", 0755).ok());
  REQUIRE(WriteNewFile(state + "/work-notesnotes/a.txt", "theirs", 0600).ok());
  REQUIRE(MakePrivateDir(t / "elsewhere").ok());
  REQUIRE(WriteNewFile(t / "elsewhere/precious", "keep", 0600).ok());
  fs::create_symlink(t / "elsewhere", state + "/work-linklinkli");
  REQUIRE(WriteNewFile(state + "/work-filefilefi", "not a directory", 0600).ok());
  REQUIRE(MakePrivateDir(state + "/instances").ok());

  RemoveStaleWorkDirs(state);
  CHECK_FALSE(fs::exists(state + "/work-dead1deadx"));
  CHECK_FALSE(fs::exists(state + "/work-dead2deadx"));
  CHECK(fs::exists(state + "/work-nestednest/sub"));  // never recursed into
  CHECK(Slurp(state + "/work-2024/report.txt") == "theirs");
  CHECK(Slurp(state + "/work-notesnotes/a.txt") == "theirs");  // not 0700: not ours
  CHECK(fs::is_symlink(state + "/work-linklinkli"));
  CHECK(Slurp(t / "elsewhere/precious") == "keep");
  CHECK(Slurp(state + "/work-filefilefi") == "not a directory");
  CHECK(fs::exists(state + "/instances"));
  RemoveStaleWorkDirs(t / "missing");  // nothing to do, no error
}

TEST_CASE("RunState::Inspect creates nothing") {
  TempDir t;
  Result<RunState> state = RunState::Inspect(t / "state", "i-1", "b");
  REQUIRE(state.ok());
  CHECK_FALSE(fs::exists(t / "state"));
  CHECK_FALSE(state->HasRun(Frequency::kPerInstance, "k"));
}

TEST_CASE("RunState markers follow each frequency") {
  TempDir t;
  userdata::Part part = MakePart(1, "text/x-shellscript", "a.sh", "#!/bin/sh\n");
  std::string key = MarkerKey(part);
  {
    Result<RunState> state = RunState::Open(t / "state", "i-1", "boot-a");
    REQUIRE(state.ok());
    for (Frequency f : {Frequency::kPerBoot, Frequency::kPerInstance, Frequency::kPerOnce}) {
      CHECK_FALSE(state->HasRun(f, key));
      REQUIRE(state->MarkRan(f, key, {{"filename", "a.sh"}}).ok());
      CHECK(state->HasRun(f, key));
    }
    REQUIRE(state->MarkRan(Frequency::kAlways, key, {}).ok());
    CHECK_FALSE(state->HasRun(Frequency::kAlways, key));
    CHECK(ModeOf(state->layout().per_instance_dir + "/" + key) == 0600);
  }
  SECTION("a new boot runs per-boot parts again, nothing else") {
    Result<RunState> state = RunState::Open(t / "state", "i-1", "boot-b");
    REQUIRE(state.ok());
    CHECK_FALSE(state->HasRun(Frequency::kPerBoot, key));
    CHECK(state->HasRun(Frequency::kPerInstance, key));
    CHECK(state->HasRun(Frequency::kPerOnce, key));
  }
  SECTION("a new instance runs per-boot and per-instance parts again, not per-once") {
    Result<RunState> state = RunState::Open(t / "state", "i-2", "boot-a");
    REQUIRE(state.ok());
    CHECK_FALSE(state->HasRun(Frequency::kPerBoot, key));
    CHECK_FALSE(state->HasRun(Frequency::kPerInstance, key));
    CHECK(state->HasRun(Frequency::kPerOnce, key));
  }
}

TEST_CASE("RunState takes a FIFO at a marker's name for no marker, without waiting on it") {
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "boot-a");
  REQUIRE(state.ok());
  std::string key = MarkerKey(MakePart(1, "text/x-shellscript", "a.sh", "#!/bin/sh\n"));
  REQUIRE(mkfifo((state->layout().per_instance_dir + "/" + key).c_str(), 0600) == 0);
  CHECK_FALSE(state->HasRun(Frequency::kPerInstance, key));  // opening it used to block
  CHECK(state->MarkRan(Frequency::kPerInstance, key, {}).error().code() == ErrorCode::kUnsafePath);
}

TEST_CASE("RunState takes a marker another user wrote or could write for no marker") {
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "boot-a");
  REQUIRE(state.ok());
  std::string key = MarkerKey(MakePart(1, "text/x-shellscript", "a.sh", "#!/bin/sh\n"));
  std::string marker = state->layout().once_dir + "/" + key;
  REQUIRE(state->MarkRan(Frequency::kPerOnce, key, {}).ok());
  REQUIRE(state->HasRun(Frequency::kPerOnce, key));
  for (mode_t open_mode : {0666, 0620, 0602}) {
    INFO(open_mode);
    ::chmod(marker.c_str(), open_mode);
    CHECK_FALSE(state->HasRun(Frequency::kPerOnce, key));
  }
  ::chmod(marker.c_str(), 0644);  // readable by others is no risk
  CHECK(state->HasRun(Frequency::kPerOnce, key));
  if (geteuid() == 0) {
    REQUIRE(::chown(marker.c_str(), 65534, 65534) == 0);
    CHECK_FALSE(state->HasRun(Frequency::kPerOnce, key));
  }
  REQUIRE(state->MarkRan(Frequency::kPerOnce, key, {}).ok());  // replaced by ours
  CHECK(state->HasRun(Frequency::kPerOnce, key));
}

TEST_CASE("MarkerKey depends on position, filename and payload") {
  userdata::Part a = MakePart(1, "text/x-shellscript", "a.sh", "one");
  userdata::Part moved = MakePart(7, "text/x-shellscript", "a.sh", "one");
  userdata::Part edited = MakePart(1, "text/x-shellscript", "a.sh", "two");
  userdata::Part renamed = MakePart(1, "text/x-shellscript", "b.sh", "one");
  userdata::Part hostile = MakePart(1, "text/x-shellscript", "../../x", "one");
  CHECK(MarkerKey(a) == MarkerKey(MakePart(1, "text/x-shellscript", "a.sh", "one")));
  CHECK(MarkerKey(a) != MarkerKey(moved));
  CHECK(MarkerKey(a) != MarkerKey(edited));
  CHECK(MarkerKey(a) != MarkerKey(renamed));
  CHECK(MarkerKey(a).rfind("a.sh-", 0) == 0);
  CHECK(MarkerKey(hostile).find('/') == std::string::npos);
}

TEST_CASE("RunState log files are 0600 and never overwritten") {
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "b");
  REQUIRE(state.ok());
  std::string first, second;
  Result<int> a = state->CreateLogFile("20150830T121600Z", &first);
  Result<int> b = state->CreateLogFile("20150830T121600Z", &second);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  close(*a);
  close(*b);
  CHECK(first == t / "state/instances/i-1/logs/run-20150830T121600Z.log");
  CHECK(second == t / "state/instances/i-1/logs/run-20150830T121600Z-2.log");
  CHECK(ModeOf(first) == 0600);
}

TEST_CASE("RunState keeps the newest run logs and removes older ones as a run starts") {
  // A log per boot was kept for ever: a chatty per-boot script filled a small root volume.
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "b");
  REQUIRE(state.ok());
  const std::string logs = t / "state/instances/i-1/logs";
  REQUIRE(MakePrivateDir(logs).ok());
  for (int day = 1; day <= 25; ++day) {
    char name[64];
    std::snprintf(name, sizeof name, "/run-201508%02dT000000Z.log", day);
    REQUIRE(WriteNewFile(logs + name, "old\n", 0600).ok());
  }
  REQUIRE(WriteNewFile(logs + "/notes.txt", "mine\n", 0600).ok());
  std::string path;
  Result<int> fd = state->CreateLogFile("20150830T121600Z", &path);
  REQUIRE(fd.ok());
  close(*fd);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(logs)) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  REQUIRE(left.size() == kKeptRunLogs + 1);
  CHECK(left.front() == "notes.txt");
  CHECK(left[1] == "run-20150807T000000Z.log");  // the 6 oldest went
  CHECK(left.back() == "run-20150830T121600Z.log");
}

TEST_CASE("RunState writes report.json 0600 for the instance and the state directory") {
  TempDir t;
  Result<RunState> state = RunState::Open(t / "state", "i-1", "b");
  REQUIRE(state.ok());
  REQUIRE(state->WriteReport("{}\n").ok());
  CHECK(Slurp(t / "state/report.json") == "{}\n");
  CHECK(Slurp(t / "state/instances/i-1/report.json") == "{}\n");
  CHECK(ModeOf(t / "state/report.json") == 0600);
}

TEST_CASE("ReadBootId trims the kernel's boot id") {
  TempDir t;
  REQUIRE(WriteNewFile(t / "boot_id", "6f1e2c3a-aaaa-bbbb-cccc-0123456789ab\n", 0600).ok());
  Result<std::string> id = ReadBootId(t / "boot_id");
  REQUIRE(id.ok());
  CHECK(*id == "6f1e2c3a-aaaa-bbbb-cccc-0123456789ab");
  CHECK_FALSE(ReadBootId(t / "missing").ok());
}

}  // namespace
}  // namespace s3us::run
