// The signature table: every known signature matched by a line as servers write it, no
// false positive on ordinary lines, and find_signatures over multi-line evidence.
#include "probe/logs/signatures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace vigil::probe::logs {
namespace {

#define T "[Sun Aug 18 10:15:00.123456 2024] "

struct Example {
  std::string key;  // the most specific signature expected
  std::string line;
};

const std::vector<Example>& examples() {
  static const std::vector<Example> e = {
      {"failed_opening_required",
       T "[php:error] [pid 4242] [client 10.0.0.7:40000] PHP Fatal error:  Uncaught Error: Failed opening required "
         "'/var/www/html/vendor/autoload.php' (include_path='.:/usr/share/php') in /var/www/html/index.php:3"},
      {"php_memory_limit",
       T "[php:error] [pid 4242] [client 10.0.0.7:40000] PHP Fatal error:  Allowed memory size of 134217728 bytes "
         "exhausted (tried to allocate 20480 bytes) in /var/www/html/report.php on line 88"},
      {"php_parse_error",
       T "[php:error] [pid 4242] [client 10.0.0.7:40000] PHP Parse error:  syntax error, unexpected '}' in "
         "/var/www/html/login.php on line 42"},
      {"php_fatal",
       T "[proxy_fcgi:error] [pid 9:tid 10] [client 10.0.0.7:40000] AH01071: Got error 'PHP message: PHP Fatal error:  "
         "Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/html/db.php:12'"},
      {"fpm_max_children",
       "[18-Aug-2024 10:15:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it"},
      {"fcgi_backend_down",
       T "[proxy:error] [pid 9:tid 10] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain "
         "socket /run/php/php8.2-fpm.sock (*) failed"},
      {"fcgi_read_failed",
       T "[proxy_fcgi:error] [pid 9:tid 10] [client 10.0.0.7:40000] AH01067: Failed to read FastCGI header"},
      {"fcgi_timeout",
       T "[proxy_fcgi:error] [pid 9:tid 10] (70007)The timeout specified has expired: [client 10.0.0.7:40000] "
         "AH01075: Error dispatching request to : (polling)"},
      {"fcgi_error",
       T "[proxy_fcgi:error] [pid 9:tid 10] [client 10.0.0.7:40000] AH01071: Got error 'Primary script unknown'"},
      {"script_headers",
       T "[cgi:error] [pid 9:tid 10] [client 10.0.0.7:40000] End of script output before headers: report.cgi"},
      {"backend_connect_failed",
       T "[proxy:error] [pid 9:tid 10] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 "
         "(127.0.0.1:8080) failed"},
      {"max_workers",
       T "[mpm_event:error] [pid 1234:tid 5678] [client 10.0.0.1:51234] AH00161: server reached MaxRequestWorkers "
         "setting, consider raising the MaxRequestWorkers setting"},
      {"scoreboard_full", T "[mpm_event:error] [pid 1234:tid 5678] AH00485: scoreboard is full, not at MaxRequestWorkers"},
      {"near_max_workers",
       T "[mpm_event:warn] [pid 1234:tid 5678] AH10159: server is within MinSpareThreads of MaxRequestWorkers, "
         "consider raising the MaxRequestWorkers setting"},
      {"child_crash", T "[core:notice] [pid 1234:tid 5678] AH00052: child pid 4321 exit signal Segmentation fault (11)"},
      {"segfault", "Aug 18 10:15:00 web01 kernel: apache2[4321]: segfault at 0 ip 00007f3a sp 00007ffd error 4 in libphp.so"},
      {"out_of_memory",
       T "[mpm_prefork:alert] [pid 1234] (12)Cannot allocate memory: AH00159: fork: Unable to fork new process"},
      {"disk_full",
       T "[core:error] [pid 1234:tid 5678] (28)No space left on device: AH00023: Couldn't create the proxy mutex"},
      {"too_many_open_files",
       T "[mpm_event:error] [pid 1234:tid 5678] (24)Too many open files: AH00046: apr_socket_accept: (client socket)"},
      {"htaccess_unreadable",
       T "[core:crit] [pid 1234:tid 5678] (13)Permission denied: [client 10.0.0.1:1] AH00529: "
         "/var/www/html/.htaccess pcfg_openfile: unable to check htaccess file, ensure it is readable and that "
         "'/var/www/html/' is executable"},
      {"permission_denied",
       T "[core:error] [pid 1234:tid 5678] (13)Permission denied: [client 10.0.0.1:1] AH00035: access to /index.html "
         "denied (filesystem path '/var/www/html/index.html') because search permissions are missing on a component "
         "of the path"},
      {"config_syntax",
       "AH00526: Syntax error on line 12 of /etc/apache2/sites-enabled/000-default.conf:"},
      {"doc_root_missing", "AH00112: Warning: DocumentRoot [/var/www/shop] does not exist"},
      {"redirect_loop",
       T "[core:error] [pid 1234:tid 5678] [client 10.0.0.1:1] AH00124: Request exceeded the limit of 10 internal "
         "redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if "
         "necessary. Use 'LogLevel debug' to get a backtrace."},
      {"client_denied",
       T "[authz_core:error] [pid 1234:tid 5678] [client 10.0.0.1:1] AH01630: client denied by server configuration: "
         "/var/www/html/.git"},
      {"bind_failed",
       "(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80"},
      {"no_listeners", "AH00451: no listening sockets available, shutting down"},
      {"logs_unopenable", "AH00015: Unable to open logs"},
      {"cert_key_mismatch",
       T "[ssl:emerg] [pid 1234] AH02565: Certificate and private key www.example.com:443:0 from "
         "/etc/ssl/certs/www.pem and /etc/ssl/private/www.key do not match"},
      {"cert_config_failed",
       T "[ssl:emerg] [pid 1234] AH02572: Failed to configure at least one certificate and key for www.example.com:443"},
      {"cert_name_mismatch",
       T "[ssl:warn] [pid 1234] AH01909: www.example.com:443:0 server certificate does NOT include an ID which "
         "matches the server name"},
      {"cert_expired",
       T "[ssl:error] [pid 1234:tid 5678] [client 10.0.0.1:1] AH02039: Certificate Verification: Error (10): "
         "certificate has expired"},
      {"sni_mismatch",
       T "[ssl:error] [pid 1234:tid 5678] AH02032: Hostname a.example.com provided via SNI and hostname b.example.com "
         "provided via HTTP are different"},
      {"ssl_handshake",
       T "[ssl:info] [pid 1234:tid 5678] [client 10.0.0.1:1] AH02008: SSL library error 1 in handshake (server "
         "www.example.com:443)"},
      {"ssl_library_error",
       T "[ssl:info] [pid 1234:tid 5678] SSL Library Error: error:0A00006C:SSL routines::bad key share"},
      {"request_read_timeout",
       T "[reqtimeout:info] [pid 1234:tid 5678] [client 10.0.0.1:1] AH01382: Request header read timeout"},
      {"no_servername",
       "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.1.1. Set "
       "the 'ServerName' directive globally to suppress this message"},
      {"stopping", T "[mpm_event:notice] [pid 1234:tid 5678] AH00491: caught SIGTERM, shutting down"},
      {"graceful_restart", T "[mpm_event:notice] [pid 1234:tid 5678] AH00493: SIGUSR1 received.  Doing graceful restart"},
      {"startup", T "[core:notice] [pid 1234:tid 5678] AH00094: Command line: '/usr/sbin/apache2'"},
      {"resumed",
       T "[mpm_event:notice] [pid 1234:tid 5678] AH00489: Apache/2.4.57 (Debian) OpenSSL/3.0.11 configured -- resuming "
         "normal operations"},
  };
  return e;
}

TEST(Signatures, EachKnownSignatureIsMatchedByARealisticLine) {
  std::set<std::string> covered;
  std::vector<const Signature*> all;
  for (const Example& ex : examples()) {
    SCOPED_TRACE(ex.line);
    match_signatures(ex.line, all);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front()->key, ex.key);  // the most specific first
    covered.insert(ex.key);
    ErrorLine e;
    if (parse_error_line(ex.line, e)) {
      const Signature* s = match_signature(e);
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(s->key, ex.key);
    }
  }
  for (const Signature& s : signatures()) {
    EXPECT_TRUE(covered.contains(std::string(s.key))) << "no example line for " << s.key;
    EXPECT_FALSE(s.meaning.empty());
    EXPECT_EQ(find_signature(s.key), &s);
  }
}

TEST(Signatures, ALineCanCarrySeveral) {
  std::vector<const Signature*> all;
  match_signatures(T "[core:notice] [pid 1] AH00052: child pid 4321 exit signal Segmentation fault (11)", all);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->key, "child_crash");
  EXPECT_EQ(all[1]->key, "segfault");
  match_signatures(T "[proxy_fcgi:error] [pid 9] [client 1.2.3.4:5] AH01071: Got error 'PHP message: PHP Fatal error:  "
                     "Uncaught Error: Failed opening required 'x.php'",
                   all);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->key, "failed_opening_required");
  EXPECT_EQ(all[1]->key, "php_fatal");
  EXPECT_EQ(all[2]->key, "fcgi_error");
}

TEST(Signatures, OrdinaryLinesMatchNothing) {
  const std::vector<std::string> ordinary = {
      T "[authz_core:debug] [pid 1:tid 2] mod_authz_core.c(820): [client 1.2.3.4:5] AH01626: authorization result of "
        "Require all granted: granted",
      T "[ssl:info] [pid 1:tid 2] [client 1.2.3.4:5] AH01964: Connection to child 3 established (server "
        "www.example.com:443)",
      T "[core:info] [pid 1:tid 2] [client 1.2.3.4:5] AH00128: File does not exist: /var/www/html/robots.txt",
      T "[php:notice] [pid 1] [client 1.2.3.4:5] PHP Notice:  Undefined index: handshake_id in /var/www/x.php on line 9",
      T "[php:warn] [pid 1] [client 1.2.3.4:5] PHP Warning:  Division by zero in /var/www/stats.php on line 4",
      T "[mpm_event:info] [pid 1:tid 2] AH00476: removed PID file /run/apache2/apache2.pid",
      "10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] \"GET /exit-signal-docs HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"",
      "2024/08/18 10:15:08 [notice] 1#1: signal process started",
      "AH0016: not a code",  // four digits
      "",
  };
  std::vector<const Signature*> all;
  for (const auto& line : ordinary) {
    match_signatures(line, all);
    EXPECT_TRUE(all.empty()) << line << " matched " << all.front()->key;
    ErrorLine e;
    if (parse_error_line(line, e)) {
      EXPECT_EQ(match_signature(e), nullptr) << line;
    }
  }
}

TEST(Signatures, FindSignaturesSummarizesEvidenceCausesFirst) {
  const std::string evidence =
      T "[core:notice] [pid 1] AH00094: Command line: '/usr/sbin/apache2'\n"
      T "[mpm_event:error] [pid 1:tid 2] AH00484: server reached MaxRequestWorkers setting, consider raising the "
        "MaxRequestWorkers setting\r\n"
      T "[core:info] [pid 1:tid 2] [client 1.2.3.4:5] AH00128: File does not exist: /var/www/html/robots.txt\n"
      "\n"
      T "[mpm_event:error] [pid 7:tid 8] AH00484: server reached MaxRequestWorkers setting, again\n"
      T "[core:error] [pid 1:tid 2] (28)No space left on device: AH00023: Couldn't create the rewrite-map mutex";
  const auto found = find_signatures(evidence);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].signature->key, "max_workers");
  EXPECT_EQ(found[0].count, 2u);
  EXPECT_EQ(found[0].line, T "[mpm_event:error] [pid 7:tid 8] AH00484: server reached MaxRequestWorkers setting, again");
  EXPECT_EQ(found[1].signature->key, "disk_full");
  EXPECT_EQ(found[1].count, 1u);
  EXPECT_EQ(found[2].signature->key, "startup");  // informational, last
  EXPECT_FALSE(found[2].signature->cause);
  EXPECT_TRUE(find_signatures("nothing to see\nhere\n").empty());
  EXPECT_TRUE(find_signatures("").empty());
}

TEST(Signatures, KnownCodesAreListed) {
  const auto codes = signature_codes();
  auto has = [&](std::string_view c) { return std::find(codes.begin(), codes.end(), c) != codes.end(); };
  EXPECT_TRUE(has("AH00161"));
  EXPECT_TRUE(has("AH00484"));
  EXPECT_TRUE(has("AH00052"));
  EXPECT_TRUE(has("AH01071"));
  EXPECT_FALSE(has("AH00128"));
}

}  // namespace
}  // namespace vigil::probe::logs
