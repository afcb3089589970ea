#include "cli/postmortem_cmd.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "app/postmortem_files.h"
#include "common/time.h"

namespace vigil::cli {
namespace json = boost::json;
namespace {

int fail(const std::string& message) {
  fmt::print(stderr, "vigil: {}\n", message);
  return 1;
}

std::string str(const json::value& o, const char* key) {
  const auto* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// -o DIR: the report as the daemon writes it on resolve.
int write_dir(const ServerOptions& s, const PostmortemArgs& args) {
  const std::string base = fmt::format("/api/v1/incidents/{}/postmortem", args.id);
  std::vector<std::pair<std::string, std::string>> files;
  if (args.format == "md") {
    for (const char* img : {"system.svg", "metrics.svg"}) {
      RawAnswer a = request(s, "GET", base + "/images/" + img, "");
      if (!a.error.empty()) return fail(a.error);
      files.emplace_back(std::string("images/") + img, std::move(a.body));
    }
  }
  RawAnswer doc = request(s, "GET", base + "?format=" + args.format, "");
  if (!doc.error.empty()) return fail(doc.error);
  const std::string name = args.format == "md" ? "README.md" : "index.html";
  files.emplace_back(name, std::move(doc.body));
  if (Status st = app::write_files_atomically(args.out_dir, files); !st.ok()) return fail(st.error().message);
  fmt::print("wrote {}{}\n", (std::filesystem::path(args.out_dir) / name).string(),
             files.size() > 1 ? fmt::format(" and {} images", files.size() - 1) : "");
  return 0;
}

// Runs $VISUAL / $EDITOR (through the shell, so "code -w" works) on `path` with the terminal.
int run_editor(const std::string& path) {
  const char* editor = std::getenv("VISUAL");
  if (!editor || !*editor) editor = std::getenv("EDITOR");
  const std::string cmd = editor && *editor ? editor : "vi";
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const std::string script = cmd + " \"$1\"";
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "sh", path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The sections of an edited file: text under each "## <title>" heading of a known section.
std::map<std::string, std::string> parse_sections(const std::string& text,
                                                  const std::map<std::string, std::string>& key_of_title) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, key;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      if (auto it = key_of_title.find(trim(line.substr(3))); it != key_of_title.end()) {
        key = it->second;
        out[key];
        continue;
      }
    }
    if (!key.empty()) out[key] += line + "\n";
  }
  for (auto& [k, v] : out) v = trim(v);
  return out;
}

int edit(const ServerOptions& s, const PostmortemArgs& args) {
  const std::string path = fmt::format("/api/v1/incidents/{}/postmortem", args.id);
  auto pm = request_json(s, "GET", path);
  if (!pm.ok()) return fail(pm.error);
  std::map<std::string, std::string> before, key_of_title;
  std::string file = fmt::format(
      "<!-- Postmortem of incident #{}. Edit the text under each heading; keep the headings.\n"
      "     Sections you change become yours: generated text never replaces them. -->\n\n",
      args.id);
  for (const auto& sv : pm.body.as_object().at("sections").as_array()) {
    const std::string key = str(sv, "key"), title = str(sv, "title");
    before[key] = trim(str(sv, "markdown"));
    key_of_title[title] = key;
    file += fmt::format("## {}\n\n{}\n\n", title, before[key]);
  }
  char tmpl[] = "/tmp/vigil-postmortem-XXXXXX.md";
  const int fd = ::mkstemps(tmpl, 3);
  if (fd < 0) return fail("cannot create a temporary file");
  ::close(fd);
  const std::string tmp = tmpl;
  std::ofstream(tmp) << file;
  const int rc = run_editor(tmp);
  std::ifstream in(tmp);
  std::string edited((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(tmp.c_str());
  if (rc != 0) return fail(fmt::format("the editor exited with status {}; nothing saved", rc));

  json::object sections;
  for (const auto& [key, text] : parse_sections(edited, key_of_title))
    if (text != before[key]) sections[key] = text;
  if (sections.empty()) {
    fmt::print("no section changed; nothing saved\n");
    return 0;
  }
  const std::size_t n = sections.size();
  RawAnswer a = request(s, "PUT", path, json::serialize(json::object{{"sections", std::move(sections)}, {"actor", args.actor}}));
  if (!a.error.empty()) return fail(a.error);
  fmt::print("saved {} section{} of the postmortem of incident #{}\n", n, n == 1 ? "" : "s", args.id);
  return 0;
}

std::string seconds_text(const json::value& o, const char* key) {
  const auto* v = o.as_object().if_contains(key);
  if (!v || !v->is_number()) return "-";
  // Whole seconds read better; below ten seconds (a quick ack) the milliseconds matter.
  const double sec = v->to_number<double>();
  if (sec < 10) return format_duration(Duration{static_cast<std::int64_t>(sec * 1000 + 0.5)});
  return format_duration(std::chrono::seconds(static_cast<std::int64_t>(sec + 0.5)));
}

// Low-urgency incidents of a report row ("-" from a server that does not count them).
std::string low_urgency(const json::object& o) {
  const auto* v = o.if_contains("low_urgency");
  return v && v->is_number() ? std::to_string(v->to_number<std::int64_t>()) : "-";
}

}  // namespace

int postmortem_command(const ServerOptions& s, const PostmortemArgs& args) {
  if (args.format != "md" && args.format != "html") return fail("--format: must be md or html");
  if (args.edit) return edit(s, args);
  if (!args.out_dir.empty()) return write_dir(s, args);
  if (s.json) {
    RawAnswer a = request(s, "GET", fmt::format("/api/v1/incidents/{}/postmortem", args.id), "");
    if (!a.error.empty()) return fail(a.error);
    fmt::print("{}", a.body);
    return 0;
  }
  RawAnswer a = request(s, "GET", fmt::format("/api/v1/incidents/{}/postmortem?format={}", args.id, args.format), "");
  if (!a.error.empty()) return fail(a.error);
  fmt::print("{}", a.body);
  return 0;
}

int report_command(const ServerOptions& s, const std::string& since) {
  auto r = request_json(s, "GET", "/api/v1/reports?since=" + boost::urls::encode(since, boost::urls::unreserved_chars));
  if (!r.ok()) return fail(r.error);
  if (s.json) {
    fmt::print("{}\n", json::serialize(r.body));
    return 0;
  }
  fmt::print("Report {} .. {}\n", str(r.body, "from"), str(r.body, "to"));
  const char* row = "{:<24} {:>12} {:>9} {:>5} {:>8} {:>9} {:>8} {:>6} {:>17}\n";
  fmt::print(fmt::runtime(row), "SERVICE", "AVAILABILITY", "INCIDENTS", "LOW", "MTTA", "MTTA HIGH", "MTTR", "PAGES",
             "ACTION ITEMS OPEN");
  auto print = [&](const std::string& name, const json::value& v) {
    const auto& o = v.as_object();
    fmt::print(fmt::runtime(row), name, fmt::format("{:.3f}%", o.at("availability_percent").to_number<double>()),
               o.at("incidents").to_number<std::int64_t>(), low_urgency(o), seconds_text(v, "mtta_seconds"),
               seconds_text(v, "mtta_high_urgency_seconds"), seconds_text(v, "mttr_seconds"),
               o.at("pages").to_number<std::int64_t>(), o.at("action_items_open").to_number<std::int64_t>());
  };
  for (const auto& sv : r.body.as_object().at("services").as_array()) print(str(sv, "service"), sv);
  print("(all)", r.body.as_object().at("total"));
  return 0;
}

int action_items_command(const ServerOptions& s, const ActionItemArgs& args) {
  if (args.verb == "add") {
    json::object body{{"text", args.text}};
    if (args.incident > 0) body["incident_id"] = args.incident;
    if (!args.owner.empty()) body["owner"] = args.owner;
    if (!args.due.empty()) body["due"] = args.due;
    RawAnswer a = request(s, "POST", "/api/v1/action-items", json::serialize(body));
    if (!a.error.empty()) return fail(a.error);
    if (s.json) fmt::print("{}", a.body);
    else fmt::print("added action item {}\n", json::parse(a.body).as_object().at("id").as_int64());
    return 0;
  }
  if (args.verb == "done") {
    RawAnswer a = request(s, "PATCH", fmt::format("/api/v1/action-items/{}", args.id), R"({"status":"done"})");
    if (!a.error.empty()) return fail(a.error);
    if (s.json) fmt::print("{}", a.body);
    else fmt::print("action item {} is done\n", args.id);
    return 0;
  }
  std::string path = "/api/v1/action-items", sep = "?";
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    path += sep + k + "=" + boost::urls::encode(v, boost::urls::unreserved_chars);
    sep = "&";
  };
  add("incident", args.incident > 0 ? std::to_string(args.incident) : "");
  add("status", args.status);
  add("owner", args.owner);
  auto r = request_json(s, "GET", path);
  if (!r.ok()) return fail(r.error);
  if (s.json) {
    fmt::print("{}\n", json::serialize(r.body));
    return 0;
  }
  const auto& items = r.body.as_object().at("action_items").as_array();
  if (items.empty()) {
    fmt::print("no action items\n");
    return 0;
  }
  fmt::print("{:>5}  {:<6}  {:>8}  {:<12}  {:<10}  {}\n", "ID", "STATUS", "INCIDENT", "OWNER", "DUE", "TEXT");
  for (const auto& v : items) {
    const auto& o = v.as_object();
    const auto& inc = o.at("incident_id");
    fmt::print("{:>5}  {:<6}  {:>8}  {:<12}  {:<10}  {}\n", o.at("id").as_int64(), str(v, "status"),
               inc.is_int64() ? "#" + std::to_string(inc.as_int64()) : "-", str(v, "owner"), str(v, "due"), str(v, "text"));
  }
  return 0;
}

PostmortemCommands::PostmortemCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_server,
                                       std::string default_actor) {
  pm_.actor = std::move(default_actor);
  postmortem_ = app.add_subcommand("postmortem", "Print, write (-o DIR) or edit (--edit) an incident's postmortem");
  postmortem_->add_option("id", pm_.id, "Incident number")->required()->check(CLI::PositiveNumber);
  postmortem_->add_option("-o,--out", pm_.out_dir, "Write DIR/README.md and DIR/images/*.svg (html: DIR/index.html)");
  postmortem_->add_option("--format", pm_.format, "md or html")->capture_default_str()->check(CLI::IsMember({"md", "html"}));
  postmortem_->add_flag("--edit", pm_.edit, "Open $EDITOR on the sections and save those you change");
  postmortem_->add_option("--as", pm_.actor, "Who is editing (default $USER)")->capture_default_str();
  add_server(postmortem_);

  report_ = app.add_subcommand("report", "Availability, incidents, MTTA, MTTR, pages and open action items per service");
  report_->add_option("--since", since_, "Window ending now, e.g. 30d, 7d, 12h")->capture_default_str();
  add_server(report_);

  items_ = app.add_subcommand("action-items", "List, add or close corrective measures");
  items_->add_option("--incident", items_args_.incident, "Only / for this incident");
  items_->add_option("--owner", items_args_.owner, "Only / owned by this person");
  items_->add_option("--status", items_args_.status, "Only open or done")->check(CLI::IsMember({"open", "done"}));
  items_->fallthrough();  // --server, --json after add/done too
  items_->add_subcommand("list", "List action items (the default)");
  items_add_ = items_->add_subcommand("add", "Add an action item");
  items_add_->add_option("text", items_args_.text, "What is to be done")->required();
  items_add_->add_option("--incident", items_args_.incident, "The incident it comes from");
  items_add_->add_option("--owner", items_args_.owner, "Who does it");
  items_add_->add_option("--due", items_args_.due, "Due date, YYYY-MM-DD");
  items_done_ = items_->add_subcommand("done", "Mark an action item done");
  items_done_->add_option("id", items_args_.id, "Action item id")->required()->check(CLI::PositiveNumber);
  add_server(items_);
}

std::optional<int> PostmortemCommands::run(const ServerOptions& s) const {
  if (*postmortem_) return postmortem_command(s, pm_);
  if (*report_) return report_command(s, since_);
  if (*items_) {
    ActionItemArgs a = items_args_;
    a.verb = *items_add_ ? "add" : *items_done_ ? "done" : "list";
    return action_items_command(s, a);
  }
  return std::nullopt;
}

}  // namespace vigil::cli
