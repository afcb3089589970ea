// Private to src/notify: one factory per contact type, each defined in its own file
// (<type>_contact.cpp) and registered in the table of contact.cpp, plus the pieces they share.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "notify/contact.h"

namespace boost::json {
class object;
}
namespace vigil::probe {
struct CheckResult;
}
namespace vigil::net {
struct HttpRequest;
}

namespace vigil::notify {

// Everything a factory may use; references outlive the channel.
struct ContactContext {
  const config::ContactMethod& contact;
  const config::SmtpConfig& smtp;
  net::HttpClient& http;
  BlockingWorker& blocking;
  boost::asio::io_context& io;
  const ContactOptions& options;
};

std::unique_ptr<Channel> make_slack_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_discord_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_msteams_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_ntfy_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_pagerduty_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_email_contact(const ContactContext& ctx);
std::unique_ptr<Channel> make_command_contact(const ContactContext& ctx);

// A channel that fails every delivery with `why` (a contact that cannot work as configured).
std::unique_ptr<Channel> make_failing_channel(std::string why);

// ---- HTTP adapters -----------------------------------------------------------------------

// A POST with the options every contact request shares: no redirects (they would drop the
// body), a kept-alive connection, a small response cap, X-Vigil-Message-Id.
net::HttpRequest contact_post(const std::string& url, const incident::OutboxMessage& message, std::string body,
                              std::string content_type, Duration timeout);

// Reads a response: 2xx is ok; anything else is an error naming `what` (a redacted
// destination), the status, Retry-After on 429, and a snippet of the body.
Status http_outcome(const probe::CheckResult& r, const std::string& what);

// A contact that POSTs the payload rendered as JSON to a webhook URL (Slack, Discord, Teams):
// `render` turns the vigil payload into the service's body, `judge` reads the answer
// (http_outcome when the service has no quirk). `kind` names it in errors.
using JsonRenderer = std::string (*)(const boost::json::object& payload);
using OutcomeJudge = Status (*)(const probe::CheckResult& r, const std::string& what);
std::unique_ptr<Channel> make_json_post_contact(const ContactContext& ctx, const char* kind, JsonRenderer render,
                                                OutcomeJudge judge = http_outcome);

// Sends `req`; `classify` turns the response into the delivery's outcome. Captures no
// channel: a channel replaced by a reload may still have requests in flight.
void send_contact_request(net::HttpClient& http, net::HttpRequest req,
                          std::function<Status(const probe::CheckResult&)> classify, std::function<void(Status)> done);

// ---- blocking adapters (run on a BlockingWorker) ---------------------------------------

// Runs `job` on `blocking` and hands its Status to `done` on `io`'s thread.
void run_blocking(BlockingWorker& blocking, boost::asio::io_context& io, std::function<Status()> job,
                  std::function<void(Status)> done);

struct CommandSpec {
  std::vector<std::string> argv;                         // argv[0]: a path, or a bare name searched in PATH
  std::string input;                                     // written to the child's stdin, then stdin is closed
  std::vector<std::pair<std::string, std::string>> env;  // set on top of vigil's environment
  Duration timeout = 30s;
};
// Blocking: runs argv through run_subprocess (common/subprocess.h: no shell, a process group of
// its own, vigil's environment plus `env`), feeds stdin, collects stdout+stderr (first 4 KB), waits. Ok on exit status 0; otherwise an error
// with the status (or signal, or "timed out" after killing the group) and the output.
Status run_command(const CommandSpec& spec);

struct MailSpec {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string username, password;
  bool starttls = false;
  std::string from;     // envelope sender address (bare)
  std::string to;       // envelope recipient address (bare)
  std::string message;  // RFC 5322, CRLF
  Duration timeout = 30s;
};
// Blocking: one SMTP transaction with a libcurl easy handle.
Status send_mail(const MailSpec& spec);

}  // namespace vigil::notify
