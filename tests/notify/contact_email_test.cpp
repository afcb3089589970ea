// The email contact against a minimal SMTP server written here: one thread, one connection,
// just enough of RFC 5321 for libcurl to hand over a message.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "common/worker.h"
#include "net/http_client.h"
#include "notify/contact.h"
#include "notify/payload.h"
#include "notify/test_receiver.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;
using vigil::testing::run_until;

// Accepts one connection and plays a mail server. `reject_rcpt` answers RCPT with 550;
// `slow` waits that long before greeting (a slow relay).
class FakeSmtp {
 public:
  explicit FakeSmtp(bool reject_rcpt = false, std::chrono::milliseconds slow = {})
      : reject_rcpt_(reject_rcpt), slow_(slow) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSmtp() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  bool finished() const { return finished_; }
  std::vector<std::string> commands() const {
    std::lock_guard lock(mu_);
    return commands_;
  }
  std::string data() const {
    std::lock_guard lock(mu_);
    return data_;
  }

 private:
  void serve() {
    pollfd p{listener_, POLLIN, 0};
    while (!stop_ && ::poll(&p, 1, 50) == 0) {
    }
    if (stop_) return;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string buffer;
    auto send = [&](const std::string& line) {
      const std::string s = line + "\r\n";
      (void)!::write(fd, s.data(), s.size());
    };
    // Next CRLF-terminated line, or nullopt when the client went away / the test ends.
    auto read_line = [&]() -> std::optional<std::string> {
      for (;;) {
        if (const auto eol = buffer.find("\r\n"); eol != std::string::npos) {
          std::string line = buffer.substr(0, eol);
          buffer.erase(0, eol + 2);
          return line;
        }
        pollfd q{fd, POLLIN, 0};
        if (stop_) return std::nullopt;
        if (::poll(&q, 1, 50) <= 0) continue;
        char chunk[4096];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return std::nullopt;
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
    };

    std::this_thread::sleep_for(slow_);
    send("220 fake.test ESMTP");
    while (auto line = read_line()) {
      {
        std::lock_guard lock(mu_);
        commands_.push_back(*line);
      }
      const std::string verb = line->substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") {
        send("250 fake.test");
      } else if (verb == "MAIL") {
        send("250 2.1.0 Ok");
      } else if (verb == "RCPT") {
        send(reject_rcpt_ ? "550 5.1.1 No such user" : "250 2.1.5 Ok");
      } else if (verb == "DATA") {
        send("354 End data with <CR><LF>.<CR><LF>");
        std::string message;
        while (auto l = read_line()) {
          if (*l == ".") break;
          if (!l->empty() && (*l)[0] == '.') l->erase(0, 1);  // dot-stuffing
          message += *l + "\r\n";
        }
        {
          std::lock_guard lock(mu_);
          data_ = message;
        }
        send("250 2.0.0 Ok: queued");
      } else if (verb == "QUIT") {
        send("221 2.0.0 Bye");
        break;
      } else if (verb == "RSET" || verb == "NOOP") {
        send("250 Ok");
      } else {
        send("502 5.5.2 Error: command not recognized");
      }
    }
    ::close(fd);
    finished_ = true;
  }

  bool reject_rcpt_;
  std::chrono::milliseconds slow_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
  std::string data_;
};

incident::OutboxMessage page_message() {
  incident::Incident inc;
  inc.id = 12;
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = "webserver-01/login: status 500";
  inc.detected_at = parse_rfc3339("2024-08-18T10:15:00Z").value();
  incident::TimelineEntry e{1, inc.detected_at, "triggered", "check:login", "status 500, expected 200"};
  auto m = outbox_for(inc, {e}, {"user:alice:1"}, "http://vigil.example", inc.detected_at).at(0);
  json::object o = json::parse(m.payload).as_object();
  o["event"] = "page";
  o["page"] = json::object{{"user", "alice"}, {"rule", 1}, {"round", 0}};
  o["links"] =
      json::object{{"acknowledge", "http://vigil.example/a/ack.1"}, {"resolve", "http://vigil.example/a/res.1"}};
  m.payload = json::serialize(o);
  m.event = "page";
  return m;
}

class EmailContactTest : public ::testing::Test {
 protected:
  std::unique_ptr<Channel> make(const std::string& smtp_url) {
    smtp_.url = smtp_url;
    smtp_.from = "Vigil <vigil@example.com>";
    config::ContactMethod c{.type = "email", .address = "alice@example.com"};
    return make_contact_channel(c, smtp_, http_, worker_, io_, ContactOptions{2s, 5s, 2s});
  }

  // Delivers and runs the loop until done() ran; checks it ran on this (the io) thread.
  std::optional<Status> deliver_once(Channel& ch, const incident::OutboxMessage& m) {
    std::optional<Status> result;
    std::thread::id ran_on;
    bool returned = false;
    ch.deliver(m, [&](Status st) {
      ran_on = std::this_thread::get_id();
      EXPECT_TRUE(returned) << "done ran inside deliver(): the transfer blocked the loop";
      result = st;
    });
    returned = true;
    run_until(io_, [&] { return result.has_value(); });
    if (result) {
      EXPECT_EQ(ran_on, std::this_thread::get_id()) << "done() must run on the io thread";
    }
    return result;
  }

  boost::asio::io_context io_;
  net::HttpClient http_{io_};
  BlockingWorker worker_;
  config::SmtpConfig smtp_;
};

TEST_F(EmailContactTest, SendsOneMessageOverSmtp) {
  FakeSmtp server;
  auto ch = make(server.url());
  const auto m = page_message();
  auto st = deliver_once(*ch, m);
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->ok()) << st->error().message;
  ASSERT_TRUE(run_until(
      io_, [&] { return server.finished(); }, std::chrono::seconds(5)));

  const auto cmds = server.commands();
  auto has = [&](const std::string& prefix) {
    for (const auto& c : cmds) {
      if (c.rfind(prefix, 0) == 0) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("EHLO"));
  EXPECT_TRUE(has("MAIL FROM:<vigil@example.com>")) << ::testing::PrintToString(cmds);
  EXPECT_TRUE(has("RCPT TO:<alice@example.com>")) << ::testing::PrintToString(cmds);
  EXPECT_TRUE(has("DATA"));
  EXPECT_TRUE(has("QUIT"));

  const std::string data = server.data();
  EXPECT_NE(data.find("From: Vigil <vigil@example.com>\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("To: alice@example.com\r\n"), std::string::npos);
  EXPECT_NE(data.find("Subject: [vigil] #12 triggered: webserver-01/login: status 500\r\n"), std::string::npos);
  EXPECT_NE(data.find("Message-ID: <vigil-12-1-user_alice_1@example.com>\r\n"), std::string::npos);
  EXPECT_NE(data.find("Date: "), std::string::npos);
  EXPECT_NE(data.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(data.find("Acknowledge: http://vigil.example/a/ack.1\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Resolve:     http://vigil.example/a/res.1\r\n"), std::string::npos) << data;
}

TEST_F(EmailContactTest, TheLoopKeepsRunningDuringTheTransfer) {
  FakeSmtp server(false, std::chrono::milliseconds(300));
  auto ch = make(server.url());
  // A timer on the loop keeps firing while the (slow) SMTP conversation runs on the worker.
  int ticks = 0;
  boost::asio::steady_timer timer(io_);
  std::function<void()> tick = [&] {
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      ++ticks;
      tick();
    });
  };
  tick();
  auto st = deliver_once(*ch, page_message());
  timer.cancel();
  ASSERT_TRUE(st.has_value() && st->ok());
  EXPECT_GE(ticks, 10);
}

TEST_F(EmailContactTest, RejectedRecipientIsAnError) {
  FakeSmtp server(/*reject_rcpt=*/true);
  auto ch = make(server.url());
  auto st = deliver_once(*ch, page_message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("alice@example.com"), std::string::npos) << st->error().message;
  EXPECT_NE(st->error().message.find("550"), std::string::npos) << st->error().message;
}

TEST_F(EmailContactTest, NoServerIsAnError) {
  std::uint16_t port;
  {
    FakeSmtp gone;
    port = gone.port();
  }
  auto ch = make("smtp://127.0.0.1:" + std::to_string(port));
  auto st = deliver_once(*ch, page_message());
  ASSERT_TRUE(st.has_value());
  ASSERT_FALSE(st->ok());
  EXPECT_NE(st->error().message.find("smtp smtp://127.0.0.1"), std::string::npos) << st->error().message;
}

}  // namespace
}  // namespace vigil::notify
