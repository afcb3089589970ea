#include "demo/receiver.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "web/server.h"

namespace vigil::demo {
namespace json = boost::json;

namespace {

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::object& obj(const json::object& o, std::string_view key) {
  static const json::object empty;
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : empty;
}

std::int64_t num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

Result<ReceivedMessage> parse_message(const std::string& path, const std::string& body, Time at) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Error{"not a JSON object", "body"};
  const auto& o = v.as_object();
  ReceivedMessage m;
  m.at = at;
  m.path = path;
  m.id = str(o, "id");
  m.event = str(o, "event");
  if (m.event.empty()) return Error{"no event", "event"};
  const auto& inc = obj(o, "incident");
  m.incident = num(inc, "id");
  m.title = str(inc, "title");
  m.text = str(obj(o, "entry"), "text");
  const auto& page = obj(o, "page");
  m.user = str(page, "user");
  m.name = str(page, "name");
  m.rule = static_cast<int>(num(page, "rule"));
  m.ack_link = str(obj(o, "links"), "acknowledge");
  return m;
}

struct Receiver::Impl {
  Listener listener;
  std::unique_ptr<web::HttpServer> server;
  mutable std::mutex mu;
  std::vector<ReceivedMessage> received;
};

Receiver::Receiver(boost::asio::io_context& io, Listener on_message) : impl_(std::make_unique<Impl>()) {
  impl_->listener = std::move(on_message);
  web::ServerOptions options;
  options.listen = "127.0.0.1:0";
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<web::HttpServer>(io, options, [impl](web::Request req, web::Respond respond) {
    web::Response r;
    r.content_type = "text/plain";
    if (req.method != "POST") {
      r.status = 405;
      return respond(std::move(r));
    }
    auto m = parse_message(req.path, req.body, now_ms());
    if (!m.ok()) return respond(web::json_error(400, m.error().message, m.error().field));
    bool seen = false;
    {
      std::lock_guard lock(impl->mu);
      for (const auto& x : impl->received) seen = seen || (!m->id.empty() && x.id == m->id);
      if (!seen) impl->received.push_back(*m);
    }
    // Answered first: a 2xx is what tells vigil the page was delivered.
    respond(std::move(r));
    if (!seen && impl->listener) impl->listener(*m);
  });
}

Receiver::~Receiver() = default;

Status Receiver::start() { return impl_->server->start(); }
void Receiver::stop() { impl_->server->stop(); }
std::uint16_t Receiver::port() const { return impl_->server->port(); }
std::string Receiver::url() const { return fmt::format("http://127.0.0.1:{}", port()); }

std::vector<ReceivedMessage> Receiver::messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->received;
}

std::vector<ReceivedMessage> Receiver::pages() const {
  std::vector<ReceivedMessage> out;
  for (auto& m : messages())
    if (m.event == "page") out.push_back(std::move(m));
  return out;
}

}  // namespace vigil::demo
