#include "demo/api.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "net/http_client.h"

namespace vigil::demo {
namespace json = boost::json;

Result<json::value> ApiClient::call(const std::string& method, const std::string& path, const std::string& body) {
  net::HttpRequest req;
  req.method = method;
  req.url = path.starts_with('/') ? base_ + path : path;
  req.body = body;
  req.timeout = std::chrono::seconds(30);  // a runbook call answers when the runbook is done
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = net::fetch_blocking(std::move(req));
  if (!r.reachable) return Error{fmt::format("{} {}: {}", method, path, r.error)};
  if (r.status < 200 || r.status > 299)
    return Error{fmt::format("{} {}: HTTP {}: {}", method, path, r.status, r.body.substr(0, 300))};
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) return json::value(json::string(r.body));  // an HTML page (the action link's answer)
  return v;
}

Result<json::value> ApiClient::post(const std::string& path, const json::value& body) {
  return call("POST", path, json::serialize(body));
}

}  // namespace vigil::demo
