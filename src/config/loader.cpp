// load_config / load_config_text: the boundary. Nothing below throws past here: yaml-cpp's
// exceptions become ConfigErrors with their position, everything else is collected as values.
#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <sstream>
#include <set>
#include <vector>

#include "config/config.h"
#include "config/env_expand.h"
#include "config/file_io.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace vigil::config {

namespace {

using namespace detail;

Config read_document(Context& ctx, const YAML::Node& root, const std::string& path) {
  Config cfg;
  cfg.path = path;
  const Field doc = root_field(root);
  MapView top(ctx, doc,
              {"server", "store", "defaults", "channels", "services", "users", "smtp", "schedules",
               "escalation_policies", "integrations", "postmortems", "maintenance"});
  if (!top.is_map()) return cfg;
  // Dependency order, not file order: checks inherit defaults, notify names channels, email
  // contacts need smtp, schedules and policies name users, services name policies,
  // integrations and maintenance windows name services.
  if (const Field* f = top.get("server")) read_server(ctx, *f, cfg.server);
  if (const Field* f = top.get("store")) read_store(ctx, *f, cfg.store);
  if (const Field* f = top.get("defaults")) read_defaults(ctx, *f, cfg.defaults);
  if (const Field* f = top.get("postmortems")) read_postmortems(ctx, *f, cfg.postmortems);
  NameIndex channels("channel");
  if (const Field* f = top.get("channels")) read_channels(ctx, *f, cfg.channels, channels);
  bool smtp_configured = false;
  if (const Field* f = top.get("smtp")) smtp_configured = read_smtp(ctx, *f, cfg.smtp);
  NameIndex users("user", "users", "id");
  if (const Field* f = top.get("users")) read_users(ctx, *f, smtp_configured, cfg.users, users);
  check_listen_exposure(ctx, top.get("server"), cfg);
  NameIndex schedules("schedule");
  if (const Field* f = top.get("schedules")) read_schedules(ctx, *f, users, cfg.schedules, schedules);
  NameIndex policies("escalation policy", "escalation policies");
  if (const Field* f = top.get("escalation_policies")) {
    read_escalation_policies(ctx, *f, users, schedules, cfg.escalation_policies, policies);
  }
  NameIndex services("service");
  std::vector<ChecklessService> checkless;
  if (const Field* f = top.get("services")) {
    read_services(ctx, *f, cfg.defaults, channels, policies, cfg.services, services, checkless);
  }
  std::set<std::string> fed;  // services that integrations feed
  if (const Field* f = top.get("integrations")) read_integrations(ctx, *f, services, cfg.integrations, fed);
  if (const Field* f = top.get("maintenance")) read_recurring_maintenance(ctx, *f, services, cfg.maintenance);
  for (const ChecklessService& s : checkless) {
    if (fed.count(s.name) != 0 && !s.name.empty()) continue;
    if (s.has_checks_key) ctx.error(s.where, "a service needs at least one check, or an integration feeding it");
    else ctx.error(s.where, "a service needs at least one check, or an integration feeding it (missing key \"checks\")");
  }
  return cfg;
}

// Where each YAML document of the text starts, parsing at most `max` of them. Not
// YAML::LoadAll: on some inputs (a lone ",") yaml-cpp 0.7's parser hands out empty documents
// without moving on, and LoadAll collects them until memory runs out.
class DocumentStarts : public YAML::EventHandler {
 public:
  static std::vector<YAML::Mark> of(const std::string& text, std::size_t max) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts h;
    while (h.marks_.size() < max && parser.HandleNextDocument(h)) {
    }
    return std::move(h.marks_);
  }
  void OnDocumentStart(const YAML::Mark& mark) override { marks_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::vector<YAML::Mark> marks_;
};

LoadResult load(const std::string& text, const std::string& path, const EnvLookup& env) {
  Context ctx(path, text, env);
  LoadResult out;
  try {
    const std::vector<YAML::Mark> starts = DocumentStarts::of(text, 2);
    if (starts.size() == 2) {
      const YAML::Mark& second = starts[1];
      if (second.pos == starts[0].pos) {  // the parser is stuck on something it cannot read
        const char c = second.pos >= 0 && static_cast<std::size_t>(second.pos) < text.size() ? text[second.pos] : '?';
        ctx.error(pos_of(second), "", fmt::format("unexpected '{}': not the start of a YAML value", c));
      } else {
        // A second `---` document would be silently ignored by YAML::Load: say so instead.
        ctx.error(pos_of(second), "", "unexpected second YAML document: vigil.yaml holds one");
      }
    }
    Config cfg = read_document(ctx, starts.empty() ? YAML::Node() : YAML::Load(text), path);
    out.errors = ctx.take_errors();
    if (out.errors.empty()) out.config = std::move(cfg);
  } catch (const YAML::Exception& e) {
    // A syntax error stops yaml-cpp at the first one; report it with its position.
    ctx.error(pos_of(e.mark), "", e.msg);
    out.errors = ctx.take_errors();
  } catch (const std::exception& e) {
    ctx.error(Pos{}, "", std::string("internal error while loading: ") + e.what());
    out.errors = ctx.take_errors();
  }
  return out;
}

}  // namespace

LoadResult load_config_text(const std::string& text, const std::string& path) {
  return load(text, path, process_env());
}

LoadResult load_config(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    LoadResult out;
    out.errors.push_back(ConfigError{path, 0, 0, "", "cannot read config file: " + text.error().message});
    return out;
  }
  return load_config_text(*text, path);
}

}  // namespace vigil::config
