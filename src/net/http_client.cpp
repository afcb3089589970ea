// HttpClient on libcurl's multi_socket API driven by Boost.Asio (STYLE.md: "libcurl
// multi_socket on Boost.Asio"). Curl tells us which sockets to watch and when its single
// timeout fires; Asio watches them and calls curl_multi_socket_action back.
//
// Ownership rules that keep this correct:
// - Curl owns every socket. Asio only watches it through a stream_descriptor that is
//   release()d, never closed, and that happens before curl closes the fd (the socket
//   callback's CURL_POLL_REMOVE, and CURLOPT_CLOSESOCKETFUNCTION as a safety net), so a
//   recycled fd number is never confused with the old one.
// - A wait handler may still be queued after curl forgot its socket: each watched socket is a
//   SocketWatch shared with its handlers, and a handler whose watch is no longer `alive` does
//   nothing (and does not touch the client, which may be gone).
// - A user callback may destroy the client: `life_` is checked after each callback.
#include "net/http_client.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "common/ascii.h"
#include "net/cert_expiry.h"

namespace vigil::net {

namespace asio = boost::asio;
using probe::CheckResult;

namespace {

constexpr const char* kUserAgent = "vigil/0.1";
// Idle easy handles kept for reuse; more than this after a burst are freed.
constexpr std::size_t kMaxIdleHandles = 256;

void init_curl_once() {
  // curl_global_init is not thread-safe on every build; a function-local static is.
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct SocketWatch {
  SocketWatch(asio::io_context& io, curl_socket_t fd) : fd(fd), desc(io) {}
  ~SocketWatch() { forget(); }

  // Stops watching without closing curl's fd; queued handlers see alive == false.
  void forget() {
    alive = false;
    if (desc.is_open()) desc.release();
  }

  curl_socket_t fd;
  asio::posix::stream_descriptor desc;
  int want = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool alive = true;
};

struct Transfer {
  CURL* easy = nullptr;
  HttpCallback done;
  CheckResult result;
  std::string request_body;  // CURLOPT_POSTFIELDS does not copy
  curl_slist* header_list = nullptr;
  std::size_t max_body = 0;
  std::uint64_t body_bytes = 0;  // everything received, kept or not
  bool https = false;
  char errbuf[CURL_ERROR_SIZE] = {};
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// The peer certificate's notAfter, read from the live OpenSSL session. Must run while the
// connection is open: with FORBID_REUSE it is closed before the transfer is reported done,
// so this is called from the header callback.
std::optional<Time> peer_cert_expiry(CURL* easy) {
  curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || !info) return std::nullopt;
  if (info->backend != CURLSSLBACKEND_OPENSSL || !info->internals) return std::nullopt;
  auto* ssl = static_cast<SSL*>(info->internals);
  return cert_not_after(SSL_get0_peer_certificate(ssl));
}

size_t on_body(char* data, size_t size, size_t n, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t len = size * n;
  t->body_bytes += len;
  std::string& body = t->result.body;
  const std::size_t room = t->max_body > body.size() ? t->max_body - body.size() : 0;
  if (len > room) {
    body.append(data, room);
    t->result.body_truncated = true;
  } else {
    body.append(data, len);
  }
  return len;  // keep reading: the transfer's timing covers the whole body
}

size_t on_header(char* data, size_t size, size_t n, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t len = size * n;
  const std::string_view line = trim(std::string_view(data, len));
  if (starts_with_ci(line, "HTTP/")) {
    // A new response (after a redirect or a 100 Continue): only the last one's headers count.
    t->result.headers.clear();
    if (t->https) {
      if (auto expiry = peer_cert_expiry(t->easy)) t->result.cert_expires_at = expiry;
    }
  } else if (auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    t->result.headers.emplace_back(ascii_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return len;
}

std::chrono::microseconds info_us(CURL* easy, CURLINFO what) {
  curl_off_t v = 0;
  if (curl_easy_getinfo(easy, what, &v) != CURLE_OK) return std::chrono::microseconds{0};
  return std::chrono::microseconds{v};
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(asio::io_context& io) : io(io), timer(io) {
    init_curl_once();
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  ~Impl() {
    closing = true;
    life.reset();
    for (auto& [easy, t] : transfers) {
      curl_multi_remove_handle(multi, easy);
      curl_slist_free_all(t->header_list);
      curl_easy_cleanup(easy);
    }
    transfers.clear();
    for (CURL* easy : idle) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);  // closes cached connections: on_close runs for each
    for (auto& [fd, w] : sockets) w->forget();
    sockets.clear();
  }

  CURL* acquire_handle() {
    if (!idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      return easy;
    }
    return curl_easy_init();
  }

  void release_handle(CURL* easy) {
    // Reset drops every pointer into the finished Transfer; connections and caches stay.
    curl_easy_reset(easy);
    if (idle.size() < kMaxIdleHandles) idle.push_back(easy);
    else curl_easy_cleanup(easy);
  }

  void fetch(HttpRequest req, HttpCallback done) {
    auto t = std::make_unique<Transfer>();
    t->done = std::move(done);
    t->result.started_at = now_ms();
    t->max_body = req.max_body;
    t->https = starts_with_ci(req.url, "https://");
    t->request_body = std::move(req.body);
    CURL* easy = acquire_handle();
    if (!easy) {
      fail_soon(std::move(t), "curl_easy_init failed");
      return;
    }
    t->easy = easy;
    Transfer* tp = t.get();

    curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, tp);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, tp->errbuf);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, tp);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, tp);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, kUserAgent);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<Duration::rep>(req.timeout.count(), 1)));
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, req.tls_verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, req.tls_verify ? 2L : 0L);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Impl::on_close);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    if (req.fresh_connection) {
      curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    }

    const bool has_body = !tp->request_body.empty();
    if (req.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (has_body || req.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(tp->request_body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, tp->request_body.c_str());
      if (req.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    } else if (req.method != "GET" && !req.method.empty()) {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    for (const auto& [name, value] : req.headers) {
      // "Name;" is curl's way to send a header with an empty value.
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      tp->header_list = curl_slist_append(tp->header_list, line.c_str());
    }
    // A body would otherwise make curl wait up to 1 s for "100 Continue".
    if (has_body) tp->header_list = curl_slist_append(tp->header_list, "Expect:");
    if (tp->header_list) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, tp->header_list);

    transfers.emplace(easy, std::move(t));
    if (CURLMcode mc = curl_multi_add_handle(multi, easy); mc != CURLM_OK) {
      auto node = transfers.extract(easy);
      curl_slist_free_all(node.mapped()->header_list);
      node.mapped()->header_list = nullptr;
      release_handle(easy);
      node.mapped()->easy = nullptr;
      fail_soon(std::move(node.mapped()), curl_multi_strerror(mc));
    }
  }

  // Reports a request that never reached curl, still asynchronously (the callback contract).
  void fail_soon(std::unique_ptr<Transfer> t, std::string error) {
    t->result.reachable = false;
    t->result.error = std::move(error);
    asio::post(io, [token = std::weak_ptr<char>(life), t = std::shared_ptr<Transfer>(std::move(t))] {
      if (token.expired()) return;
      auto done = std::move(t->done);
      done(std::move(t->result));
    });
  }

  // Runs curl on one event, then reports finished transfers. Returns false when a user
  // callback destroyed the client: the caller must not touch it.
  bool action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    return drain();
  }

  bool drain() {
    std::weak_ptr<char> token = life;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode code = msg->data.result;
      auto node = transfers.extract(easy);
      if (node.empty()) continue;
      std::unique_ptr<Transfer> t = std::move(node.mapped());
      complete(*t, code);
      curl_multi_remove_handle(multi, easy);
      curl_slist_free_all(t->header_list);
      release_handle(easy);
      auto done = std::move(t->done);
      done(std::move(t->result));
      if (token.expired()) return false;
    }
    return true;
  }

  static void complete(Transfer& t, CURLcode code) {
    CURL* easy = t.easy;
    CheckResult& r = t.result;
    r.reachable = code == CURLE_OK;
    if (!r.reachable) r.error = t.errbuf[0] ? std::string(t.errbuf) : std::string(curl_easy_strerror(code));
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = static_cast<int>(status);
    char* ip = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) r.remote_ip = ip;
    r.timings.dns = info_us(easy, CURLINFO_NAMELOOKUP_TIME_T);
    r.timings.connect = info_us(easy, CURLINFO_CONNECT_TIME_T);
    r.timings.tls = info_us(easy, CURLINFO_APPCONNECT_TIME_T);
    r.timings.ttfb = info_us(easy, CURLINFO_STARTTRANSFER_TIME_T);
    r.timings.total = info_us(easy, CURLINFO_TOTAL_TIME_T);
  }

  // --- curl → Asio ---

  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<Impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      self->forget(fd);
      return 0;
    }
    if (self->closing) return 0;
    auto& watch = self->sockets[fd];
    if (!watch) {
      watch = std::make_shared<SocketWatch>(self->io, fd);
      boost::system::error_code ec;
      watch->desc.assign(fd, ec);
      if (ec) {
        self->sockets.erase(fd);
        return -1;
      }
    }
    watch->want = what;
    self->arm(watch);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<Impl*>(userp);
    if (self->closing) return 0;
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    // Never call socket_action from inside a curl callback: even "0 ms" goes through the loop.
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer.async_wait([self, token = std::weak_ptr<char>(self->life)](const boost::system::error_code& ec) {
      if (ec || token.expired()) return;
      self->action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  static int on_close(void* clientp, curl_socket_t fd) {
    static_cast<Impl*>(clientp)->forget(fd);
    return ::close(fd);
  }

  void forget(curl_socket_t fd) {
    auto it = sockets.find(fd);
    if (it == sockets.end()) return;
    it->second->forget();
    sockets.erase(it);
  }

  void arm(const std::shared_ptr<SocketWatch>& w) {
    if ((w->want & CURL_POLL_IN) && !w->reading) {
      w->reading = true;
      w->desc.async_wait(asio::posix::stream_descriptor::wait_read,
                         [this, w](const boost::system::error_code& ec) { on_ready(w, ec, CURL_POLL_IN); });
    }
    if ((w->want & CURL_POLL_OUT) && !w->writing) {
      w->writing = true;
      w->desc.async_wait(asio::posix::stream_descriptor::wait_write,
                         [this, w](const boost::system::error_code& ec) { on_ready(w, ec, CURL_POLL_OUT); });
    }
  }

  void on_ready(const std::shared_ptr<SocketWatch>& w, const boost::system::error_code& ec, int direction) {
    (direction == CURL_POLL_IN ? w->reading : w->writing) = false;
    // Checked before touching `this`: a dead watch may outlive the client.
    if (!w->alive || ec == asio::error::operation_aborted) return;
    // Curl changed its mind about this direction since the wait started: nothing to report.
    if (!ec && !(w->want & direction)) return;
    const int events = ec ? CURL_CSELECT_ERR : (direction == CURL_POLL_IN ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
    if (!action(w->fd, events)) return;
    if (!ec && w->alive) arm(w);
  }

  asio::io_context& io;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::vector<CURL*> idle;
  std::shared_ptr<char> life = std::make_shared<char>(0);  // expires when the client is destroyed
  bool closing = false;
};

HttpClient::HttpClient(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
HttpClient::~HttpClient() = default;

void HttpClient::fetch(HttpRequest request, HttpCallback done) { impl_->fetch(std::move(request), std::move(done)); }

std::size_t HttpClient::in_flight() const { return impl_->transfers.size(); }

CheckResult fetch_blocking(HttpRequest request) {
  asio::io_context io;
  CheckResult out;
  {
    HttpClient client(io);
    client.fetch(std::move(request), [&](CheckResult r) {
      out = std::move(r);
      io.stop();  // curl may keep a cache timer armed; the answer is all we wait for
    });
    io.run();
  }
  return out;
}

}  // namespace vigil::net
