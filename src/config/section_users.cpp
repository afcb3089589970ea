// users: (who can be paged, and how) and smtp: (the mail server email contacts go through).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "common/ascii.h"
#include "config/sections.h"
#include "config/time_values.h"
#include "config/validate.h"

namespace vigil::config::detail {

namespace {

constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

// Which contact types take which keys (besides `type`).
struct ContactKey {
  std::string_view key;
  std::vector<std::string_view> types;
};
const std::array<ContactKey, 6>& contact_keys() {
  static const std::array<ContactKey, 6> keys = {{
      {"url", {"webhook", "slack", "discord", "msteams", "ntfy", "pagerduty"}},
      {"address", {"email"}},
      {"routing_key", {"pagerduty"}},
      {"command", {"command"}},
      {"secret", {"webhook"}},
      {"secret_file", {"webhook"}},
  }};
  return keys;
}

bool is_smtps(std::string_view url) {
  return url.size() >= 6 && iequals(url.substr(0, 6), "smtps:");
}

void read_url(Context& ctx, const Field& v, std::string& out) {
  if (auto s = read_string(ctx, v)) {
    if (auto p = check_http_url(*s)) ctx.error(v, *p);
    else out = *s;
  }
}

// ntfy publishes to a topic, the URL's path: http://127.0.0.1:8081/oncall-alice.
void read_ntfy_url(Context& ctx, const Field& v, std::string& out) {
  std::string url;
  read_url(ctx, v, url);
  if (url.empty()) return;
  const std::size_t scheme_end = url.find("://");
  const std::size_t path = url.find('/', scheme_end + 3);
  const std::string_view topic = path == std::string::npos ? "" : std::string_view(url).substr(path + 1);
  if (topic.empty() || topic.front() == '?' || topic.front() == '#') {
    const std::string base = url.substr(0, std::min(path, url.size()));
    ctx.error(v, fmt::format("an ntfy URL names the topic in its path, e.g. {}/oncall-alice", base));
    return;
  }
  out = std::move(url);
}

// argv, run without a shell: no PATH lookup, so the program is an absolute path.
void read_command(Context& ctx, const Field& f, std::vector<std::string>& out) {
  const std::vector<Field> items = read_list(ctx, f);
  if (items.empty()) {
    if (empty_value(f.node) || f.node.IsSequence())
      ctx.error(f, "must not be empty: the program and its arguments, e.g. [/usr/local/bin/page, --urgent]");
    return;
  }
  std::vector<std::string> argv;
  bool ok = true;
  for (const Field& item : items) {
    auto s = read_string(ctx, item);
    if (!s) {
      ok = false;
      continue;
    }
    if (argv.empty() && !std::filesystem::path(*s).is_absolute()) {
      ctx.error(item, fmt::format("\"{}\" is not an absolute path: the command runs without a shell or PATH lookup",
                                  *s));
      ok = false;
    }
    argv.push_back(std::move(*s));
  }
  if (ok) out = std::move(argv);
}

// PagerDuty's separate notification rules per urgency: `urgency: high` (a phone call only for
// what must wake someone), `low`, or a list of both (the default).
void read_contact_urgency(Context& ctx, const Field& f, ContactMethod& c) {
  std::vector<Field> items;
  if (f.node.IsSequence()) items = read_list(ctx, f);
  else items.push_back(f);
  if (items.empty()) return ctx.error(f, "must name high, low or both");
  c.high_urgency = c.low_urgency = false;
  for (const Field& item : items) {
    auto u = read_choice(ctx, item, {"high", "low"});
    if (u == "high") c.high_urgency = true;
    if (u == "low") c.low_urgency = true;
  }
}

void read_contact(Context& ctx, const Field& f, bool smtp_configured, std::vector<ContactMethod>& out) {
  MapView m(ctx, f, {"type", "url", "address", "routing_key", "command", "secret", "secret_file", "after",
                     "urgency"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  ContactMethod c;
  const Field* type_field = m.require("type");
  std::optional<std::string> type;
  if (type_field) {
    type = read_choice(ctx, *type_field, {"webhook", "slack", "discord", "msteams", "email", "ntfy", "pagerduty",
                                          "command"});
  }
  if (!type) return;  // without a type, nothing else can be judged
  c.type = *type;

  // Keys of another type are mistakes (a `url` on an email contact does nothing).
  for (const auto& [key, types] : contact_keys()) {
    const Field* v = m.get(key);
    if (!v || std::find(types.begin(), types.end(), *type) != types.end()) continue;
    if (types.size() == 1) ctx.error(v->key_pos, v->path, fmt::format("\"{}\" applies only to {} contacts", key, types[0]));
    else ctx.error(v->key_pos, v->path, fmt::format("\"{}\" does not apply to {} contacts", key, *type));
  }

  if (*type == "email") {
    if (const Field* v = m.require("address")) {
      if (auto s = read_string(ctx, *v)) {
        if (auto p = check_email(*s)) ctx.error(*v, *p);
        else c.address = *s;
      }
    }
    if (!smtp_configured) ctx.error(*type_field, "email contacts need a mail server: set smtp.url");
  } else if (*type == "pagerduty") {
    if (const Field* v = m.require("routing_key")) {
      if (auto s = read_string(ctx, *v)) {
        if (auto p = check_routing_key(*s)) ctx.error(*v, *p);
        else c.routing_key = *s;
      }
    }
    // Filled in, so whoever sends never has to know the default.
    c.url = kPagerDutyEventsUrl;
    if (const Field* v = m.get("url")) read_url(ctx, *v, c.url);
  } else if (*type == "command") {
    if (const Field* v = m.require("command")) read_command(ctx, *v, c.command);
  } else if (*type == "ntfy") {
    if (const Field* v = m.require("url")) read_ntfy_url(ctx, *v, c.url);
  } else {  // webhook, slack, discord, msteams: an incoming-webhook URL
    if (const Field* v = m.require("url")) read_url(ctx, *v, c.url);
    if (*type == "webhook") {
      if (auto s = read_secret(ctx, m, "secret")) c.secret = *s;
    }
  }
  if (const Field* v = m.get("after")) {
    if (auto d = read_duration(ctx, *v, /*allow_zero=*/true)) {
      if (*d > std::chrono::hours(24))
        ctx.error(*v, fmt::format("must be at most 24h (a page nobody acknowledged for a day is an escalation "
                                  "policy's job), got {}", format_duration(*d)));
      else c.after = *d;
    }
  }
  if (const Field* v = m.get("urgency")) read_contact_urgency(ctx, *v, c);
  if (ctx.error_count() == errors_before) out.push_back(std::move(c));
}

// Web login: an argon2id string from `vigil hash-password` and a role. The hash is checked by
// shape only here (libsodium verifies it at login); a plain password pasted by mistake is the
// error this catches, and it is not echoed back.
void read_login(Context& ctx, const MapView& m, UserConfig& u) {
  const Field* where = nullptr;
  if (auto s = read_secret(ctx, m, "password_hash", &where)) {
    if (s->rfind("$argon2id$", 0) != 0 && s->rfind("$argon2i$", 0) != 0) {
      ctx.error(*where, "must be an argon2id hash (\"$argon2id$...\") as printed by `vigil hash-password`, "
                        "not a password");
    } else {
      u.password_hash = std::move(*s);
    }
  }
  if (const Field* v = m.get("role")) {
    if (auto r = read_choice(ctx, *v, {"viewer", "responder", "admin"})) {
      u.role = *r == "viewer" ? Role::viewer : *r == "admin" ? Role::admin : Role::responder;
    }
  }
}

void read_user(Context& ctx, const Field& f, bool smtp_configured, NameIndex& ids, std::vector<UserConfig>& out) {
  MapView m(ctx, f,
            {"id", "name", "email", "time_zone", "contacts", "password_hash", "password_hash_file", "role",
             "handoff_notifications"});
  if (!m.is_map()) return;
  const std::size_t errors_before = ctx.error_count();
  UserConfig u;
  if (const Field* v = m.require("id")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_name(*s)) ctx.error(*v, *p);
      else if (ids.add(ctx, *v, *s)) u.id = *s;
    }
  }
  if (const Field* v = m.get("name")) {
    if (auto s = read_string(ctx, *v)) u.name = *s;
  }
  if (u.name.empty()) u.name = u.id;  // what pages and the UI show
  if (const Field* v = m.get("email")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_email(*s)) ctx.error(*v, *p);
      else u.email = *s;
    }
  }
  if (const Field* v = m.get("time_zone")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto z = find_time_zone(*s); !z) ctx.error(*v, z.error().message);
      else u.time_zone = *s;
    }
  }
  if (const Field* v = m.get("handoff_notifications")) {
    if (auto b = read_bool(ctx, *v)) u.handoff_notifications = *b;
  }
  read_login(ctx, m, u);
  // A user nobody can reach would turn a page into a silent drop.
  const Field* contacts = m.get("contacts");
  const std::vector<Field> items = contacts ? read_list(ctx, *contacts) : std::vector<Field>{};
  if (items.empty() && (!contacts || contacts->node.IsNull() || contacts->node.IsSequence())) {
    if (contacts) ctx.error(*contacts, "a user needs at least one contact method");
    else ctx.error(f, "a user needs at least one contact method (missing key \"contacts\")");
  }
  for (const Field& item : items) read_contact(ctx, item, smtp_configured, u.contacts);
  if (ctx.error_count() == errors_before) out.push_back(std::move(u));
}

}  // namespace

bool read_smtp(Context& ctx, const Field& f, SmtpConfig& out) {
  if (empty_value(f.node)) return false;  // `smtp:` with everything commented out: not configured
  MapView m(ctx, f, {"url", "from", "username", "password", "password_file", "starttls"});
  if (!m.is_map()) return false;
  const Field* url = m.require("url");
  if (url) {
    if (auto s = read_string(ctx, *url)) {
      if (auto p = check_smtp_url(*s)) ctx.error(*url, *p);
      else out.url = *s;
    }
  }
  if (const Field* v = m.require("from")) {
    if (auto s = read_string(ctx, *v)) {
      if (auto p = check_email(*s)) ctx.error(*v, *p);
      else out.from = *s;
    }
  }
  const Field* username = m.get("username");
  if (username) {
    if (auto s = read_string(ctx, *username)) {
      if (s->empty()) ctx.error(*username, "must not be empty");
      else out.username = *s;
    }
  }
  const Field* password = nullptr;
  if (auto s = read_secret(ctx, m, "password", &password)) out.password = *s;
  if (password && !username) ctx.error(password->key_pos, password->path, "a password needs a username");
  if (username && !password) ctx.error(username->key_pos, username->path, "a username needs a password (or password_file)");
  if (const Field* v = m.get("starttls")) {
    if (auto b = read_bool(ctx, *v)) {
      if (*b && is_smtps(out.url))
        ctx.error(*v, "smtps:// is TLS from the first byte; starttls applies to smtp:// URLs");
      else out.starttls = *b;
    }
  }
  return url != nullptr;
}

void read_users(Context& ctx, const Field& f, bool smtp_configured, std::vector<UserConfig>& out, NameIndex& ids) {
  for (const Field& item : read_list(ctx, f)) read_user(ctx, item, smtp_configured, ids, out);
}

}  // namespace vigil::config::detail
