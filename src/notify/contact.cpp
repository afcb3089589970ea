#include "notify/contact.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>

#include "common/worker.h"
#include "net/http_client.h"
#include "notify/channel_kinds.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

// Enough of a receiver's answer to say what went wrong, not enough to flood the outbox.
constexpr std::size_t kErrorSnippet = 200;
constexpr std::size_t kMaxResponse = 4096;

// A webhook contact is the webhook channel (docs/webhook.md): same body, same signature. Only
// its error texts differ: a person's webhook URL often carries a token, so it is redacted.
class WebhookContact final : public Channel {
 public:
  WebhookContact(std::unique_ptr<Channel> inner, std::string url) : inner_(std::move(inner)), url_(std::move(url)) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    inner_->deliver(message, [done = std::move(done), url = url_](Status st) {
      if (st.ok()) return done(st);
      std::string msg = st.error().message;
      const std::string redacted = redact_url(url);
      for (auto at = msg.find(url); at != std::string::npos; at = msg.find(url, at + redacted.size())) {
        msg.replace(at, url.size(), redacted);
      }
      done(Error{std::move(msg), st.error().field});
    });
  }

 private:
  std::unique_ptr<Channel> inner_;
  std::string url_;
};

std::unique_ptr<Channel> make_webhook_contact(const ContactContext& ctx) {
  if (ctx.contact.url.empty()) return make_failing_channel("webhook contact has no url");
  config::ChannelConfig c;
  c.name = "contact";
  c.type = config::ChannelType::webhook;
  c.url = ctx.contact.url;
  c.secret = ctx.contact.secret;
  c.timeout = ctx.options.http_timeout;
  return std::make_unique<WebhookContact>(make_webhook_channel(c, ctx.http), ctx.contact.url);
}

struct ContactKind {
  std::string_view type;
  std::unique_ptr<Channel> (*make)(const ContactContext&);
};

// The one place contact types are registered.
constexpr std::array<ContactKind, 8> kKinds{{
    {"webhook", &make_webhook_contact},
    {"slack", &make_slack_contact},
    {"discord", &make_discord_contact},
    {"msteams", &make_msteams_contact},
    {"ntfy", &make_ntfy_contact},
    {"pagerduty", &make_pagerduty_contact},
    {"email", &make_email_contact},
    {"command", &make_command_contact},
}};

class FailingChannel final : public Channel {
 public:
  explicit FailingChannel(std::string why) : why_(std::move(why)) {}
  void deliver(const incident::OutboxMessage&, std::function<void(Status)> done) override { done(Error{why_}); }

 private:
  std::string why_;
};

std::string snippet(const std::string& body) {
  std::string s = one_line(truncate_utf8(body, kErrorSnippet));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string header_of(const probe::CheckResult& r, std::string_view lower_name) {
  for (const auto& [k, v] : r.headers) {
    if (k == lower_name) return v;
  }
  return {};
}

}  // namespace

std::unique_ptr<Channel> make_contact_channel(const config::ContactMethod& contact, const config::SmtpConfig& smtp,
                                              net::HttpClient& http, BlockingWorker& blocking,
                                              boost::asio::io_context& io, const ContactOptions& options) {
  const ContactContext ctx{contact, smtp, http, blocking, io, options};
  for (const auto& kind : kKinds) {
    if (kind.type == contact.type) return kind.make(ctx);
  }
  return make_failing_channel(fmt::format("unknown contact type \"{}\"", contact.type));
}

bool known_contact_type(std::string_view type) {
  for (const auto& kind : kKinds) {
    if (kind.type == type) return true;
  }
  return false;
}

namespace {

class JsonPostChannel final : public Channel {
 public:
  JsonPostChannel(std::string url, net::HttpClient& http, Duration timeout, const char* kind, JsonRenderer render,
                  OutcomeJudge judge)
      : url_(std::move(url)), http_(http), timeout_(timeout), kind_(kind), render_(render), judge_(judge) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    auto payload = parse_payload(message.payload);
    if (!payload.ok()) return done(payload.error());
    auto req = contact_post(url_, message, render_(*payload), "application/json", timeout_);
    // 429 (with Retry-After) is an error like any other: the outbox's backoff retries it.
    send_contact_request(
        http_, std::move(req),
        [what = std::string(kind_) + " " + redact_url(url_), judge = judge_](const probe::CheckResult& r) {
          return judge(r, what);
        },
        std::move(done));
  }

 private:
  std::string url_;
  net::HttpClient& http_;
  Duration timeout_;
  const char* kind_;
  JsonRenderer render_;
  OutcomeJudge judge_;
};

}  // namespace

std::unique_ptr<Channel> make_json_post_contact(const ContactContext& ctx, const char* kind, JsonRenderer render,
                                                OutcomeJudge judge) {
  return std::make_unique<JsonPostChannel>(ctx.contact.url, ctx.http, ctx.options.http_timeout, kind, render, judge);
}

std::unique_ptr<Channel> make_failing_channel(std::string why) {
  return std::make_unique<FailingChannel>(std::move(why));
}

net::HttpRequest contact_post(const std::string& url, const incident::OutboxMessage& message, std::string body,
                              std::string content_type, Duration timeout) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.body = std::move(body);
  req.timeout = timeout;
  req.follow_redirects = false;
  req.fresh_connection = false;
  req.max_body = kMaxResponse;
  req.headers.emplace_back("Content-Type", std::move(content_type));
  req.headers.emplace_back(kMessageIdHeader, message.id);
  return req;
}

Status http_outcome(const probe::CheckResult& r, const std::string& what) {
  if (!r.reachable) return Error{fmt::format("{} unreachable: {}", what, r.error)};
  if (r.status >= 200 && r.status < 300) return Status::Ok();
  std::string msg = fmt::format("{} answered HTTP {}", what, r.status);
  if (r.status == 429) {
    msg += " (rate limited";
    if (const auto after = header_of(r, "retry-after"); !after.empty()) msg += ", Retry-After: " + one_line(after);
    msg += ")";
  }
  if (const auto s = snippet(r.body); !s.empty()) msg += ": " + s;
  return Error{std::move(msg)};
}

void send_contact_request(net::HttpClient& http, net::HttpRequest req,
                          std::function<Status(const probe::CheckResult&)> classify, std::function<void(Status)> done) {
  http.fetch(std::move(req),
             [classify = std::move(classify), done = std::move(done)](probe::CheckResult r) { done(classify(r)); });
}

void run_blocking(BlockingWorker& blocking, boost::asio::io_context& io, std::function<Status()> job,
                  std::function<void(Status)> done) {
  blocking.post([io = &io, job = std::move(job), done = std::move(done)]() mutable {
    Status st = job();
    boost::asio::post(*io, [done = std::move(done), st = std::move(st)] { done(st); });
  });
}

}  // namespace vigil::notify
