#include "web/response_head.h"

#include <gtest/gtest.h>

namespace vigil::web {
namespace {

Response accepted() {
  Response r;
  r.status = 202;
  r.body = R"({"status":"success"})";
  return r;
}

TEST(ResponseHead, KeepAliveHttp11HasLengthAndNoConnectionHeader) {
  EXPECT_EQ(response_head(11, accepted(), 20, true),
            "HTTP/1.1 202 Accepted\r\nServer: vigil\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n");
}

TEST(ResponseHead, ClosingHttp11SaysConnectionClose) {
  EXPECT_EQ(response_head(11, accepted(), 20, false),
            "HTTP/1.1 202 Accepted\r\nServer: vigil\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
            "Connection: close\r\n\r\n");
}

TEST(ResponseHead, Http10KeepAliveIsExplicit) {
  EXPECT_EQ(response_head(10, accepted(), 20, true),
            "HTTP/1.0 202 Accepted\r\nServer: vigil\r\nContent-Type: application/json\r\nContent-Length: 20\r\n"
            "Connection: keep-alive\r\n\r\n");
  EXPECT_EQ(response_head(10, accepted(), 20, false).find("Connection"), std::string::npos);
}

TEST(ResponseHead, HandlerHeadersKeptFramingHeadersIgnored) {
  Response r = accepted();
  r.status = 303;
  r.headers = {{"Location", "/login"},
               {"content-length", "999"},
               {"Transfer-Encoding", "chunked"},
               {"Connection", "keep-alive"},
               {"Set-Cookie", "a=1"},
               {"Set-Cookie", "b=2"}};
  const std::string h = response_head(11, r, 0, true);
  EXPECT_EQ(h,
            "HTTP/1.1 303 See Other\r\nLocation: /login\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nServer: vigil\r\n"
            "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHead, HandlerContentTypeAndServerReplaceTheDefaults) {
  Response r = accepted();
  r.headers = {{"content-type", "text/plain"}, {"Server", "other"}};
  const std::string h = response_head(11, r, 20, true);
  EXPECT_NE(h.find("content-type: text/plain\r\n"), std::string::npos);
  EXPECT_NE(h.find("Server: other\r\n"), std::string::npos);
  EXPECT_EQ(h.find("application/json"), std::string::npos);
  EXPECT_EQ(h.find("vigil"), std::string::npos);
}

TEST(ResponseHead, HeadersWithLineBreaksAreDropped) {
  Response r = accepted();
  r.headers = {{"X-Echo", "a\r\nSet-Cookie: evil=1"}, {"X-Ok", "fine"}, {"Bad\nName", "v"}};
  r.content_type = "text/html\r\nX-Injected: 1";
  const std::string h = response_head(11, r, 20, true);
  EXPECT_EQ(h.find("evil"), std::string::npos);
  EXPECT_EQ(h.find("Injected"), std::string::npos);
  EXPECT_EQ(h.find("Bad"), std::string::npos);
  EXPECT_NE(h.find("X-Ok: fine\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Type: application/octet-stream\r\n"), std::string::npos);
}

TEST(ResponseHead, StreamedBodyHasNoLengthAndBodilessStatusesKeepTheirReason) {
  Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  EXPECT_EQ(response_head(11, r, std::nullopt, false),
            "HTTP/1.1 200 OK\r\nServer: vigil\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
  r.status = 204;
  EXPECT_EQ(response_head(11, r, std::nullopt, true).rfind("HTTP/1.1 204 No Content\r\n", 0), 0u);
}

}  // namespace
}  // namespace vigil::web
