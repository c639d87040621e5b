#include "cli/validate_command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "cli/json_output.h"
#include "cli/result_output.h"
#include "core/child.h"
#include "core/files.h"
#include "core/private_paths.h"
#include "core/secret.h"
#include "core/strings.h"
#include "expand/include_target.h"
#include "expand/include_tree.h"
#include "expand/key_template.h"
#include "run/report.h"
#include "userdata/content_type.h"
#include "userdata/parse.h"

namespace s3us::cli {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxUserDataBytes = 16ull << 20;

// "line 3: sha256 must be ..." → (3, "sha256 must be ...").
Problem FromMessage(int part, const std::string& message) {
  Problem p{part, 0, message};
  if (message.rfind("line ", 0) == 0) {
    size_t colon = message.find(": ");
    p.line = std::atoi(message.c_str() + 5);
    if (colon != std::string::npos) p.message = message.substr(colon + 2);
  }
  return p;
}

// Stand-ins for instance facts, so bucket-only lines can be checked without IMDS.
InstanceFacts OfflineFacts(const Options& o) {
  InstanceFacts f;
  f.role = o.role.empty() ? "ROLE" : o.role;
  f.instance_id = o.instance_id.empty() ? "i-00000000000000000" : o.instance_id;
  f.region = o.region.empty() ? "us-east-1" : o.region;
  f.availability_zone = f.region + "a";
  f.account_id = "000000000000";
  f.instance_type = "t3.micro";
  return f;
}

std::optional<std::string> CheckUrl(const userdata::Part& part, const std::string& url,
                                    const Options& o) {
  bool s3_include = part.content_type == userdata::kTypeS3Include;
  Result<fetch::Target> target =
      expand::ResolveIncludeTarget(url, s3_include, o.key_template, OfflineFacts(o));
  if (!target.ok()) return target.error().ToString();
  if (target->route == fetch::Route::kS3 && !target->s3.ok()) return target->s3.error().ToString();
  if (target->route != fetch::Route::kUnsupported) return std::nullopt;
  return "'" + RedactUrl(target->url) + "' is not an http(s) or S3 URL";
}

// ParseIncludeList stops at a part's first bad line. Lines are independent, so each line
// alone (the others blanked, keeping the numbering) finds every bad one.
std::vector<userdata::IncludeEntry> IncludeLines(const userdata::Part& part,
                                                 std::vector<Problem>& problems) {
  Result<std::vector<userdata::IncludeEntry>> all = userdata::ParseIncludeList(part);
  if (all.ok()) return std::move(all).value();
  std::vector<userdata::IncludeEntry> entries;
  size_t before = problems.size();
  Result<userdata::PayloadView> text = part.payload.View(part.payload.size());
  if (!text.ok()) {
    problems.push_back(FromMessage(part.index, text.error().message()));
    return entries;
  }
  std::vector<std::string_view> lines = Split(text->bytes(), '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    userdata::Part one = part;
    one.payload = std::string(i, '\n') + std::string(lines[i]);
    Result<std::vector<userdata::IncludeEntry>> got = userdata::ParseIncludeList(one);
    if (!got.ok()) {
      problems.push_back(FromMessage(part.index, got.error().message()));
    } else {
      for (userdata::IncludeEntry& e : *got) entries.push_back(std::move(e));
    }
  }
  // A problem of the part as a whole rather than of one line.
  if (problems.size() == before) problems.push_back(FromMessage(part.index, all.error().message()));
  return entries;
}

}  // namespace

std::string ProblemLine(const Problem& p) {
  std::string where = p.part == 0 ? "user data" : "part " + std::to_string(p.part);
  if (p.line > 0) where += " line " + std::to_string(p.line);
  return where + ": " + p.message;
}

// Control bytes escaped as error lines are: none can end a line or drive the terminal.
std::string RenderTree(const json& tree) {
  auto shown = [](const json& text) {
    return Printable(text.get<std::string>(), std::string::npos);
  };
  std::string out;
  for (const json& p : tree) {
    out += "part " + std::to_string(p["index"].get<int>()) + ": " + shown(p["content_type"]) + " " +
           shown(p["filename"]) + " (" + std::to_string(p["size"].get<uint64_t>()) + " bytes)\n";
    for (const json& l : p["lines"]) {
      out += "  line " + std::to_string(l["line"].get<int>()) + ": " + shown(l["url"]) + "\n";
    }
  }
  return out;
}

namespace {

json PartsAndLines(const std::vector<userdata::Part>& parts, const Options& o,
                   std::vector<Problem>& problems) {
  json tree = json::array();
  std::set<std::string> objects;
  for (const userdata::Part& part : parts) {
    json entry{{"index", part.index},
               {"content_type", part.content_type},
               {"filename", part.filename},
               {"size", part.payload.size()},
               {"depth", 0},
               {"lines", json::array()}};
    if (userdata::IsIncludeList(part)) {
      for (const userdata::IncludeEntry& line : IncludeLines(part, problems)) {
        // Shown as everywhere else: a pre-signed URL's query holds its signature and token.
        entry["lines"].push_back({{"line", line.line}, {"url", RedactUrl(line.url)}});
        objects.insert(line.url);
        if (auto bad = CheckUrl(part, line.url, o))
          problems.push_back({part.index, line.line, *bad});
      }
      // The trust lines are read as a fetching command reads them.
      Result<trust::AllowedSigners> signers = expand::ParseInlineSigners(part, part.index);
      if (!signers.ok()) problems.push_back(FromMessage(part.index, signers.error().message()));
    }
    if (part.content_type == userdata::kTypeCloudConfig) CheckCloudConfigYaml(part, problems);
    tree.push_back(std::move(entry));
  }
  if (parts.size() > static_cast<size_t>(o.max_parts)) {
    problems.push_back({0, 0,
                        "the user data has " + std::to_string(parts.size()) +
                            " parts, over the limit of " + std::to_string(o.max_parts) +
                            " (--max-parts)"});
  }
  if (objects.size() > static_cast<size_t>(o.max_objects)) {
    problems.push_back({0, 0,
                        "the includes name " + std::to_string(objects.size()) +
                            " objects, over the limit of " + std::to_string(o.max_objects) +
                            " (--max-objects)"});
  }
  return tree;
}

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// `cloud-init schema -c FILE` on one part; its complaint (first lines), or nullopt when valid.
// Killed at `deadline`: validate's --deadline bounds it as it bounds reading the input.
std::optional<std::string> CloudInitSchema(const std::string& exe, const userdata::Part& part,
                                           const Deadline& deadline) {
  Result<std::string> dir = MakePrivateTempDir("s3-user-script-validate-");
  if (!dir.ok()) return "cloud-config: not checked by cloud-init schema: " + dir.error().message();
  std::string config = *dir + "/part.cfg", output = *dir + "/output";
  std::optional<std::string> complaint;
  // cloud-init merges a part typed text/cloud-config without the header line, but `schema -c`
  // refuses a file without it: the header goes first, and its line is counted in what it says.
  const bool headed = part.payload.head().starts_with("#cloud-config");
  auto copy = [&part, headed](int fd) -> Status {
    constexpr std::string_view kHeader = "#cloud-config\n";
    if (!headed &&
        write(fd, kHeader.data(), kHeader.size()) != static_cast<ssize_t>(kHeader.size())) {
      return Error(ErrorCode::kIo, "cannot write the header");
    }
    return part.payload.CopyTo(fd);
  };
  if (WriteNewFileWith(config, 0600, copy).ok()) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(),
                                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // A session of its own: nothing it starts outlives it, and it has no terminal to ask on.
    HelperProcess schema;
    if (schema.Start({exe, "schema", "-c", config}, &actions, HelperProcess::Group::kSession) ==
        0) {
      bool killed = false;
      int status = schema.Finish(deadline, SystemClock::Get(), killed);
      if (killed) {
        complaint = "cloud-config: cloud-init schema still running at the deadline; killed it";
      } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        Result<std::string> text = ReadFile(output, 1 << 16);
        std::string said = text.ok() ? *text : "";
        std::string line, last;  // its schema errors, else its last line ("... not a dict.")
        for (size_t pos = 0; pos < said.size();) {
          size_t end = said.find('\n', pos);
          std::string l = said.substr(pos, end - pos);
          static const std::string kPrefix = "Cloud config schema errors: ";
          if (l.rfind(kPrefix, 0) == 0)
            line += (line.empty() ? "" : "; ") + l.substr(kPrefix.size());
          if (!Trim(l).empty() && l != "Error:") last = std::string(Trim(l));
          if (end == std::string::npos) break;
          pos = end + 1;
        }
        if (line.empty()) line = Printable(last);
        complaint = "cloud-config: cloud-init schema: " + (line.empty() ? "invalid" : line) +
                    (headed ? "" : " (line 1 is a #cloud-config line put before the part)");
      }
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  unlink(output.c_str());
  unlink(config.c_str());
  rmdir(dir->c_str());
  return complaint;
}

}  // namespace

json ValidateBlob(const std::string& blob, const Options& options) {
  std::vector<Problem> problems;
  json tree = json::array();
  // As plan and resolve: empty user data is no parts (cloud-init's one empty part does
  // nothing), valid.
  Result<std::vector<userdata::Part>> parts =
      blob.empty() ? std::vector<userdata::Part>{} : userdata::Parse(blob);
  if (!parts.ok()) {
    problems.push_back({0, 0, parts.error().ToString()});  // ProblemLine names the user data
  } else {
    tree = PartsAndLines(*parts, options, problems);
  }
  // In document order: by part (the document's own problems last), then line.
  auto rank = [](const Problem& p) { return std::pair(p.part == 0 ? INT_MAX : p.part, p.line); };
  std::stable_sort(problems.begin(), problems.end(),
                   [&](const Problem& a, const Problem& b) { return rank(a) < rank(b); });
  json j{{"valid", problems.empty()}, {"parts", tree}, {"problems", json::array()}};
  for (const Problem& p : problems) {
    j["problems"].push_back({{"part", p.part}, {"line", p.line}, {"message", p.message}});
  }
  return j;
}

int RunValidate(const Options& o) {
  if (Status st = expand::ValidateKeyTemplate(o.key_template); !st.ok()) {
    PrintError("--key-template: " + st.error().ToString());
    return kExitUsage;
  }
  Clock& clock = SystemClock::Get();
  const Deadline deadline = Deadline::After(clock, std::chrono::seconds(o.deadline_seconds));
  Result<std::string> blob = ReadFile(o.input, kMaxUserDataBytes, deadline, clock);
  if (!blob.ok()) {
    PrintError(blob.error().WithContext("reading " + o.input).ToString());
    return kExitSetup;
  }
  json j = ValidateBlob(*blob, o);
  std::string cloud_init = FindInPath("cloud-init");
  if (!cloud_init.empty() && j["problems"].empty()) {
    Result<std::vector<userdata::Part>> parts = userdata::Parse(*blob);
    std::vector<userdata::Part> all = parts.ok() ? std::move(parts).value() : decltype(all){};
    for (const userdata::Part& part : all) {
      if (part.content_type != userdata::kTypeCloudConfig) continue;
      if (auto bad = CloudInitSchema(cloud_init, part, deadline)) {
        j["problems"].push_back({{"part", part.index}, {"line", 0}, {"message", *bad}});
      }
    }
    j["valid"] = j["problems"].empty();
  }
  for (const json& p : j["problems"]) {
    PrintError(ProblemLine({p["part"].get<int>(), p["line"].get<int>(), p["message"]}));
  }
  if (o.json) {
    WriteJsonDocument(j);
  } else if (!o.quiet) {
    size_t lines = 0;
    for (const json& p : j["parts"]) lines += p["lines"].size();
    size_t parts = j["parts"].size();
    WriteResult(RenderTree(j["parts"]) + (j["valid"].get<bool>() ? "valid: " : "invalid: ") +
                (parts == 0 ? "no parts\n"
                            : std::to_string(parts) + " part" + (parts == 1 ? "" : "s") + ", " +
                                  std::to_string(lines) + " include line" +
                                  (lines == 1 ? "" : "s") + "\n"));
  }
  return j["valid"].get<bool>() ? kExitOk : kExitFetch;
}

}  // namespace s3us::cli
