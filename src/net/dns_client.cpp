// c-ares drives the protocol; Asio only tells it when its sockets are ready and when its next
// timeout is due, as HttpClient does for curl:
// - c-ares owns every socket. Asio watches one through a stream_descriptor that is released,
//   never closed, when c-ares says it no longer needs it (sock_state_cb with neither flag).
// - One channel per (server, timeout): c-ares keeps its servers and timeouts per channel.
// - Answers are handed over with asio::post: query() never calls back from inside itself, and a
//   channel destroyed with the client calls back with ARES_EDESTRUCTION, which is swallowed.
#include "net/dns_client.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fmt/format.h>
#include <netdb.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <unordered_map>

#include "common/ascii.h"

namespace vigil::net {

namespace asio = boost::asio;

namespace {

void init_ares_once() {
  static const bool done = [] { return ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS; }();
  (void)done;
}

struct TypeCode {
  std::string_view name;
  int code;
};
constexpr TypeCode kTypes[] = {{"A", ns_t_a}, {"AAAA", ns_t_aaaa}, {"MX", ns_t_mx}, {"TXT", ns_t_txt}, {"NS", ns_t_ns}};

std::optional<int> type_code(std::string_view type) {
  for (const auto& t : kTypes)
    if (iequals(t.name, type)) return t.code;
  return std::nullopt;
}

std::vector<std::string> addresses(const hostent* h) {
  std::vector<std::string> out;
  char buf[INET6_ADDRSTRLEN];
  for (char** a = h ? h->h_addr_list : nullptr; a && *a; ++a)
    if (inet_ntop(h->h_addrtype, *a, buf, sizeof buf)) out.emplace_back(buf);
  return out;
}

// The records of a successful answer, as people write them, and for A/AAAA the name its CNAME
// chain ends at; false when it cannot be parsed.
bool parse_records(int type, const unsigned char* abuf, int alen, std::vector<std::string>& out,
                   std::string& canonical) {
  switch (type) {
    case ns_t_a:
    case ns_t_aaaa: {
      hostent* h = nullptr;
      const int st = type == ns_t_a ? ares_parse_a_reply(abuf, alen, &h, nullptr, nullptr)
                                    : ares_parse_aaaa_reply(abuf, alen, &h, nullptr, nullptr);
      if (st == ARES_ENODATA) return true;
      if (st != ARES_SUCCESS) return false;
      out = addresses(h);
      if (h && h->h_name) canonical = h->h_name;
      ares_free_hostent(h);
      return true;
    }
    case ns_t_mx: {
      ares_mx_reply* mx = nullptr;
      const int st = ares_parse_mx_reply(abuf, alen, &mx);
      if (st == ARES_ENODATA) return true;
      if (st != ARES_SUCCESS) return false;
      for (auto* m = mx; m; m = m->next) out.push_back(fmt::format("{} {}", m->priority, m->host));
      ares_free_data(mx);
      return true;
    }
    case ns_t_txt: {
      ares_txt_ext* txt = nullptr;
      const int st = ares_parse_txt_reply_ext(abuf, alen, &txt);
      if (st == ARES_ENODATA) return true;
      if (st != ARES_SUCCESS) return false;
      for (auto* t = txt; t; t = t->next) {  // a record's strings, joined as DNS tools show them
        if (t->record_start || out.empty()) out.emplace_back();
        out.back().append(reinterpret_cast<const char*>(t->txt), t->length);
      }
      ares_free_data(txt);
      return true;
    }
    case ns_t_ns: {
      hostent* h = nullptr;
      const int st = ares_parse_ns_reply(abuf, alen, &h);
      if (st == ARES_ENODATA) return true;
      if (st != ARES_SUCCESS) return false;
      for (char** a = h->h_aliases; a && *a; ++a) out.emplace_back(*a);
      ares_free_hostent(h);
      return true;
    }
  }
  return false;
}

// The rcode an answered query's status stands for; empty when no answer came.
std::string_view rcode_of(int status) {
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA: return "NOERROR";
    case ARES_ENOTFOUND: return "NXDOMAIN";
    case ARES_ESERVFAIL: return "SERVFAIL";
    case ARES_EREFUSED: return "REFUSED";
    case ARES_EFORMERR: return "FORMERR";
    case ARES_ENOTIMP: return "NOTIMP";
  }
  return "";
}

struct Watch {
  Watch(asio::io_context& io, int fd, ares_channel ch) : fd(fd), channel(ch), desc(io, fd) {}
  ~Watch() { forget(); }
  void forget() {
    alive = false;
    if (desc.is_open()) desc.release();
  }
  int fd;
  ares_channel channel;
  asio::posix::stream_descriptor desc;
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;
  bool alive = true;
};

}  // namespace

bool dns_type_supported(std::string_view type) { return type_code(type).has_value(); }

struct DnsClient::Impl : std::enable_shared_from_this<Impl> {
  struct Channel {
    ares_channel ch = nullptr;
    Impl* impl = nullptr;
  };
  struct Pending {
    std::weak_ptr<Impl> impl;
    DnsCallback done;
    int type = 0;
    DnsQuery query;
    std::chrono::steady_clock::time_point start;
  };

  explicit Impl(asio::io_context& io) : io(io), timer(io) { init_ares_once(); }

  ~Impl() { shutdown(); }

  // Handlers still queued hold the Impl; they see `closing` and do nothing.
  void shutdown() {
    if (closing) return;
    closing = true;
    timer.cancel();
    for (auto& [fd, w] : watches) w->forget();
    watches.clear();
    for (auto& [key, c] : channels) ares_destroy(c->ch);  // calls back with ARES_EDESTRUCTION
    channels.clear();
  }

  // Answers reach `done` from the loop, never from inside c-ares or query(), and not at all once
  // the client is gone.
  void hand_over(DnsCallback done, DnsAnswer a) {
    asio::post(io, [w = weak_from_this(), done = std::move(done), a = std::move(a)]() mutable {
      if (auto self = w.lock(); self && !self->closing) done(std::move(a));
    });
  }

  Channel* channel_for(const DnsQuery& q, std::string& error) {
    const std::string key = fmt::format("{}|{}", q.server, q.timeout.count());
    if (auto it = channels.find(key); it != channels.end()) return it->second.get();
    auto c = std::make_unique<Channel>();
    c->impl = this;
    ares_options opts{};
    opts.sock_state_cb = &Impl::on_sock_state;
    opts.sock_state_cb_data = c.get();
    opts.timeout = static_cast<int>(std::max<std::int64_t>(1, q.timeout.count()));
    opts.tries = 1;  // the check's timeout is the whole budget; its next run is the retry
    opts.flags = ARES_FLAG_NOCHECKRESP;  // SERVFAIL and REFUSED are answers worth reporting
    int st = ares_init_options(&c->ch, &opts, ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                                                  ARES_OPT_FLAGS);
    if (st != ARES_SUCCESS) {
      error = fmt::format("DNS resolver: {}", ares_strerror(st));
      return nullptr;
    }
    if (!q.server.empty()) {
      st = ares_set_servers_ports_csv(c->ch, q.server.c_str());
      if (st != ARES_SUCCESS) {
        ares_destroy(c->ch);
        error = fmt::format("DNS server \"{}\": {}", q.server, ares_strerror(st));
        return nullptr;
      }
    }
    return channels.emplace(key, std::move(c)).first->second.get();
  }

  void query(DnsQuery q, DnsCallback done) {
    const auto start = std::chrono::steady_clock::now();
    auto answer_soon = [&](std::string error) {
      DnsAnswer a;
      a.error = std::move(error);
      hand_over(std::move(done), std::move(a));
    };
    const auto type = type_code(q.type);
    if (!type) return answer_soon(fmt::format("record type {} is not supported", q.type));
    std::string error;
    Channel* c = channel_for(q, error);
    if (!c) return answer_soon(std::move(error));
    auto* p = new Pending{weak_from_this(), std::move(done), *type, std::move(q), start};
    ares_query(c->ch, p->query.name.c_str(), ns_c_in, *type, &Impl::on_answer, p);
    arm_timer();
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
    auto self = p->impl.lock();
    if (!self || self->closing || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
    DnsAnswer a;
    a.took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - p->start);
    const std::string where = p->query.server.empty() ? "the system resolver" : p->query.server;
    if (const auto rcode = rcode_of(status); !rcode.empty()) {
      a.responded = true;
      a.rcode = rcode;
      if (status == ARES_SUCCESS && !parse_records(p->type, abuf, alen, a.records, a.canonical_name))
        a.error = fmt::format("{} {}: the answer from {} could not be parsed", p->query.name, p->query.type, where);
      std::sort(a.records.begin(), a.records.end());
    } else if (status == ARES_ETIMEOUT) {
      a.error = fmt::format("{} {}: no answer from {} within {}", p->query.name, p->query.type, where,
                            format_duration(p->query.timeout));
    } else {
      a.error = fmt::format("{} {}: {} ({})", p->query.name, p->query.type, ares_strerror(status), where);
    }
    self->hand_over(std::move(p->done), std::move(a));
  }

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* c = static_cast<Channel*>(data);
    Impl* self = c->impl;
    if (self->closing) return;
    if (!readable && !writable) {
      if (auto it = self->watches.find(fd); it != self->watches.end()) {
        it->second->forget();
        self->watches.erase(it);
      }
      return;
    }
    auto& w = self->watches[fd];
    if (!w) w = std::make_shared<Watch>(self->io, fd, c->ch);
    w->want_read = readable;
    w->want_write = writable;
    self->watch(w);
  }

  void watch(const std::shared_ptr<Watch>& w) {
    if (w->want_read && !w->reading) {
      w->reading = true;
      w->desc.async_wait(asio::posix::stream_descriptor::wait_read,
                         [self = shared_from_this(), w](const boost::system::error_code& ec) {
                           w->reading = false;
                           if (ec || !w->alive || self->closing) return;
                           ares_process_fd(w->channel, w->fd, ARES_SOCKET_BAD);
                           if (w->alive) self->watch(w);
                           self->arm_timer();
                         });
    }
    if (w->want_write && !w->writing) {
      w->writing = true;
      w->desc.async_wait(asio::posix::stream_descriptor::wait_write,
                         [self = shared_from_this(), w](const boost::system::error_code& ec) {
                           w->writing = false;
                           if (ec || !w->alive || self->closing) return;
                           ares_process_fd(w->channel, ARES_SOCKET_BAD, w->fd);
                           if (w->alive) self->watch(w);
                           self->arm_timer();
                         });
    }
  }

  // The earliest timeout any channel has pending; c-ares handles it in ares_process_fd.
  void arm_timer() {
    std::optional<std::chrono::microseconds> next;
    for (auto& [key, c] : channels) {
      timeval tv{};
      if (ares_timeout(c->ch, nullptr, &tv)) {
        const std::chrono::microseconds d{static_cast<std::int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec};
        if (!next || d < *next) next = d;
      }
    }
    if (!next) return;
    timer.expires_after(*next);
    timer.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
      auto self = w.lock();
      if (ec || !self || self->closing) return;
      for (auto& [key, c] : self->channels) ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->arm_timer();
    });
  }

  asio::io_context& io;
  asio::steady_timer timer;
  std::map<std::string, std::unique_ptr<Channel>> channels;
  std::unordered_map<int, std::shared_ptr<Watch>> watches;
  bool closing = false;
};

DnsClient::DnsClient(asio::io_context& io) : impl_(std::make_shared<Impl>(io)) {}
DnsClient::~DnsClient() { impl_->shutdown(); }

void DnsClient::query(DnsQuery q, DnsCallback done) { impl_->query(std::move(q), std::move(done)); }

}  // namespace vigil::net
