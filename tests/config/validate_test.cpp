#include "config/validate.h"

#include <gtest/gtest.h>

namespace vigil::config::detail {
namespace {

struct Case {
  const char* in;
  const char* problem;  // nullptr: valid
};

void expect(Problem (*check)(std::string_view), std::initializer_list<Case> cases) {
  for (const auto& c : cases) {
    const Problem p = check(c.in);
    if (c.problem == nullptr) {
      EXPECT_FALSE(p) << c.in << ": " << *p;
    } else {
      ASSERT_TRUE(p) << c.in << " should be rejected";
      EXPECT_EQ(*p, c.problem) << c.in;
    }
  }
}

TEST(Validate, HttpUrl) {
  expect(check_http_url, {
      {"http://10.0.0.5/login", nullptr},
      {"https://example.com", nullptr},
      {"HTTPS://Example.COM:8443/a?b=c#d", nullptr},
      {"http://[::1]:8080/-/healthy", nullptr},
      {"http://user:pw@host/", nullptr},
      {"http://my_service.internal./", nullptr},
      {"ftp://x/", R"(invalid URL "ftp://x/": scheme must be http or https, not "ftp")"},
      {"10.0.0.5/login", R"(invalid URL "10.0.0.5/login": expected http://host[:port]/path or https://...)"},
      {"http:/x", R"(invalid URL "http:/x": missing host)"},
      {"http:///path", R"(invalid URL "http:///path": missing host)"},
      {"http://a..b/", R"(invalid URL "http://a..b/": invalid host name "a..b")"},
      {"http://a!b/", R"(invalid URL "http://a!b/": invalid host name "a!b": unexpected character '!')"},
      {"http://h:0/", R"(invalid URL "http://h:0/": port 0 out of range 1-65535)"},
      {"http://h:/", R"(invalid URL "http://h:/": empty port)"},
      {"http://h:123456/", R"(invalid URL "http://h:123456/": port 123456 out of range 1-65535)"},
      {"http://exa mple/", R"(invalid URL "http://exa mple/": expected http://host[:port]/path or https://...)"},
  });
}

TEST(Validate, Listen) {
  expect(check_listen, {
      {"127.0.0.1:8080", nullptr},
      {"0.0.0.0:0", nullptr},
      {"[::]:9090", nullptr},
      {"localhost:80", nullptr},
      {"localhost", R"(invalid listen address "localhost": missing port)"},
      {":8080", R"(invalid listen address ":8080": missing host)"},
      {"a:65536", R"(invalid listen address "a:65536": port 65536 out of range 0-65535)"},
      {"u@h:1", R"(invalid listen address "u@h:1": unexpected user info (user@))"},
  });
}

Problem check_tcp_url_of_tcp(std::string_view text) { return check_tcp_url(text); }
Problem check_tls_url(std::string_view text) { return check_tcp_url(text, "tls"); }

TEST(Validate, TcpEndpoints) {
  expect(check_tcp_url_of_tcp, {
      {"tcp://db:5432", nullptr},
      {"tcp://[2001:db8::1]:443", nullptr},
      {"tcp://db:5432/", nullptr},
      {"tcp://db", R"(invalid tcp URL "tcp://db": missing port)"},
      {"tcp://db:5432/x", R"(invalid tcp URL "tcp://db:5432/x": expected tcp://host:port with nothing after the port)"},
      {"udp://db:53", R"(invalid tcp URL "udp://db:53": expected tcp://host:port)"},
  });
  expect(check_tls_url, {
      {"tls://mail.example.com:465", nullptr},
      {"tls://[2001:db8::1]:993/", nullptr},
      {"tcp://mail:465", R"(invalid tls URL "tcp://mail:465": expected tls://host:port)"},
      {"tls://mail", R"(invalid tls URL "tls://mail": missing port)"},
  });
  expect(check_host_port, {
      {"10.0.0.5:443", nullptr},
      {"[::1]:22", nullptr},
      {"10.0.0.5", R"(invalid address "10.0.0.5": missing port)"},
      {"db:0", R"(invalid address "db:0": port 0 out of range 1-65535)"},
  });
}

TEST(Validate, NamesMethodsHeaders) {
  expect(check_name, {
      {"webserver-01", nullptr},
      {"api_v2.login", nullptr},
      {"", "must not be empty"},
      {"web/01", R"(invalid name "web/01": use only letters, digits, '_', '.' and '-')"},
  });
  expect(check_method, {{"GET", nullptr}, {"PROPFIND", nullptr}, {"GE T", R"(invalid HTTP method "GE T")"}});
  EXPECT_FALSE(check_header("X-Api-Key", "abc"));
  EXPECT_EQ(check_header("X:Y", "v"), Problem(R"(invalid header name "X:Y")"));
  EXPECT_EQ(check_header("X", "a\r\nInjected: 1"), Problem(R"(header "X": value must not contain line breaks)"));
}

TEST(Validate, EmailAndSmtp) {
  expect(check_email, {
      {"alice@example.com", nullptr},
      {"first.last+oncall@mail.example.co.uk", nullptr},
      {"root@localhost", nullptr},
      {"alice", R"(invalid email address "alice": expected name@domain)"},
      {"@example.com", R"(invalid email address "@example.com": nothing before the @)"},
      {"alice@", R"(invalid email address "alice@": nothing after the @)"},
      {"Alice <alice@example.com>", R"(invalid email address "Alice <alice@example.com>": write the bare address, e.g. vigil@example.com)"},
      {"a,b@example.com", R"(invalid email address "a,b@example.com": unexpected character ',')"},
      {"alice@exa_mple..com", R"(invalid email address "alice@exa_mple..com": invalid host name "exa_mple..com")"},
  });
  expect(check_smtp_url, {
      {"smtp://127.0.0.1:2525", nullptr},
      {"smtps://mail.example.com", nullptr},
      {"SMTP://mail.example.com:587/client.example.com", nullptr},
      {"mail.example.com:25", R"(invalid URL "mail.example.com:25": scheme must be smtp or smtps, not "mail.example.com")"},
      {"smtp:mail", R"(invalid URL "smtp:mail": missing host)"},
      {"smtp://mail:0", R"(invalid URL "smtp://mail:0": port 0 out of range 1-65535)"},
      {"smtp://u:p@mail", R"(invalid URL "smtp://u:p@mail": put the credentials in username and password, not in the URL)"},
      {"smtp://mail/?x=1", R"(invalid URL "smtp://mail/?x=1": unexpected query or fragment)"},
  });
}

TEST(Validate, KeysAreCheckedWithoutBeingShown) {
  expect(check_routing_key, {
      {"abcdefABCDEF0123456789abcdef0123", nullptr},
      {"abcdefABCDEF0123456789abcdef012", "a PagerDuty routing key has 32 characters, got 31"},
      {"abcdefABCDEF0123456789abcdef01234", "a PagerDuty routing key has 32 characters, got 33"},
      {"abcdefABCDEF0123456789abcdef012-", "a PagerDuty routing key has only letters and digits"},
      {"", "a PagerDuty routing key has 32 characters, got 0"},
  });
  expect(check_token, {
      {"am-key_1.2~x", nullptr},
      {"", "must not be empty"},
      {"a b", "use only letters, digits, '-', '.', '_' and '~' (the key travels in URLs and headers)"},
      {"a/b", "use only letters, digits, '-', '.', '_' and '~' (the key travels in URLs and headers)"},
  });
}

}  // namespace
}  // namespace vigil::config::detail
