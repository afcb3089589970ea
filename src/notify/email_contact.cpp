// Email through the configured SMTP relay (smtp: in vigil.yaml): a plain-text RFC 5322
// message sent with a libcurl easy handle. SMTP is a blocking conversation, so it runs on the
// BlockingWorker and its outcome is posted back to the event loop.
#include <boost/json.hpp>
#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstring>

#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

constexpr std::size_t kMaxLine = 998;  // RFC 5322 §2.1.1
constexpr Duration kConnectTimeout = 10s;

// "Sun, 18 Aug 2024 10:15:00 +0000" (RFC 5322 §3.3): UTC, and English whatever the locale.
std::string rfc5322_date(Time t) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const weekday wd(day);
  const hh_mm_ss hms(floor<seconds>(t - day));
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  if (at == std::string::npos || at + 1 == address.size()) return "vigil.invalid";
  return address.substr(at + 1);
}

// The left part of a Message-ID is a dot-atom: outbox ids like "vigil-3-2-user:alice:0"
// carry ':' which is not allowed there.
std::string dot_atom(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string_view::npos;
    out += ok ? c : '_';
  }
  return out.empty() ? "vigil" : out;
}

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

bool seven_bit_safe(std::string_view text) {
  std::size_t line = 0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u == 0) return false;
    line = c == '\n' ? 0 : line + 1;
    if (line > kMaxLine) return false;
  }
  return true;
}

// 57 bytes of input make one 76-character line of base64 (RFC 2045 §6.8).
std::string base64_lines(std::string_view bytes) {
  std::string out;
  for (std::size_t pos = 0; pos < bytes.size(); pos += 57) out += base64(bytes.substr(pos, 57)) + "\r\n";
  return out;
}

class EmailChannel final : public Channel {
 public:
  EmailChannel(const config::SmtpConfig& smtp, std::string to, BlockingWorker& blocking, boost::asio::io_context& io,
               Duration timeout)
      : smtp_(smtp), to_(std::move(to)), blocking_(blocking), io_(io), timeout_(timeout) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    auto payload = parse_payload(message.payload);
    if (!payload.ok()) return done(payload.error());
    MailSpec spec;
    spec.url = smtp_.url;
    spec.username = smtp_.username;
    spec.password = smtp_.password;
    spec.starttls = smtp_.starttls;
    spec.from = mailbox_address(smtp_.from);
    spec.to = mailbox_address(to_);
    spec.message = email_message(*payload, EmailEnvelope{smtp_.from, to_, now_ms()});
    spec.timeout = timeout_;
    run_blocking(
        blocking_, io_, [spec = std::move(spec)] { return send_mail(spec); }, std::move(done));
  }

 private:
  config::SmtpConfig smtp_;
  std::string to_;
  BlockingWorker& blocking_;
  boost::asio::io_context& io_;
  Duration timeout_;
};

struct Upload {
  const std::string& data;
  std::size_t pos = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const std::size_t n = std::min(size * nitems, up->data.size() - up->pos);
  std::memcpy(buffer, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

}  // namespace

std::string mailbox_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  const auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    mailbox = mailbox.substr(open + 1, close - open - 1);
  }
  while (!mailbox.empty() && std::isspace(static_cast<unsigned char>(mailbox.front()))) mailbox.remove_prefix(1);
  while (!mailbox.empty() && std::isspace(static_cast<unsigned char>(mailbox.back()))) mailbox.remove_suffix(1);
  return one_line(mailbox);
}

std::string email_message(const boost::json::object& payload, const EmailEnvelope& env) {
  const PayloadView v = view_of(payload);
  const std::string domain = domain_of(mailbox_address(env.from));
  const std::string id = v.id.empty() ? fmt::format("vigil-{}-{}", v.incident_id, v.entry_seq) : v.id;

  std::string m;
  auto header = [&](std::string_view name, const std::string& value) { m += fmt::format("{}: {}\r\n", name, value); };
  header("From", one_line(env.from));
  header("To", one_line(env.to));
  header("Subject", rfc2047(one_line("[vigil] " + headline(v)), "\r\n "));
  header("Date", rfc5322_date(env.date));
  // Stable across retries: a mail client shows a re-sent page once.
  header("Message-ID", fmt::format("<{}@{}>", dot_atom(id), domain));
  // Every mail about one incident references the same root, so clients thread them; a
  // schedule's hand-offs thread by schedule.
  if (v.handoff)
    header("References", fmt::format("<vigil-oncall-{}@{}>", dot_atom(v.handoff->schedule), domain));
  else
    header("References", fmt::format("<vigil-incident-{}@{}>", v.incident_id, domain));
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=utf-8");
  // RFC 3834: no vacation auto-replies to pages.
  header("Auto-Submitted", "auto-generated");
  if (!v.handoff) header("X-Vigil-Incident", std::to_string(v.incident_id));
  header("X-Vigil-Event", one_line(v.event));

  const std::string text = plain_text(v, true);
  if (seven_bit_safe(text)) {
    header("Content-Transfer-Encoding", "7bit");
    m += "\r\n" + crlf(text);
  } else {
    header("Content-Transfer-Encoding", "base64");
    m += "\r\n" + base64_lines(crlf(text));
  }
  return m;
}

Status send_mail(const MailSpec& spec) {
  CURL* easy = curl_easy_init();
  if (!easy) return Error{"smtp: cannot create a curl handle"};
  char errbuf[CURL_ERROR_SIZE] = {};
  Upload upload{spec.message};
  const std::string from = "<" + spec.from + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + spec.to + ">").c_str());

  curl_easy_setopt(easy, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<Duration::rep>(spec.timeout.count(), 1)));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(spec.timeout, kConnectTimeout).count()));
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, &read_message);
  curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(spec.message.size()));
  // starttls: refuse to send (and to log in) in clear when the server does not offer it.
  if (spec.starttls) curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!spec.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, spec.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, spec.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(easy);
  long reply = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(easy);
  if (rc == CURLE_OK) return Status::Ok();
  std::string why = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  std::string msg = fmt::format("smtp {} to {} failed: {}", redact_url(spec.url), spec.to, why);
  if (reply > 0) msg += fmt::format(" (last reply {})", reply);
  return Error{std::move(msg)};
}

std::unique_ptr<Channel> make_email_contact(const ContactContext& ctx) {
  if (ctx.smtp.url.empty()) return make_failing_channel("email contact needs smtp.url in the config");
  if (ctx.smtp.from.empty()) return make_failing_channel("email contact needs smtp.from in the config");
  if (ctx.contact.address.empty()) return make_failing_channel("email contact has no address");
  return std::make_unique<EmailChannel>(ctx.smtp, ctx.contact.address, ctx.blocking, ctx.io, ctx.options.smtp_timeout);
}

}  // namespace vigil::notify
