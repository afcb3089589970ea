#include "probe/logs/signatures.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <unordered_map>

namespace vigil::probe::logs {

namespace {

struct Spec {
  Signature sig;
  std::array<std::string_view, 3> codes{};    // AH codes (the main one first)
  std::array<std::string_view, 3> phrases{};  // fixed text, case-sensitive unless prefixed (?i)
  std::string_view confirm{};                 // RE2 a phrase hit must also match (empty: none)
};

// Most specific first (see the header). Codes and phrases are Apache's own wording.
const Spec kSpecs[] = {
    // PHP (mod_php, or PHP-FPM through proxy_fcgi's AH01071 "Got error 'PHP message: ...'")
    {{"failed_opening_required", "", "a PHP require() target is missing: a bad deploy or a wrong include_path (500s)"},
     {}, {"Failed opening required"}},
    {{"php_memory_limit", "", "PHP hit memory_limit: a script needs more memory than allowed (500s)"},
     {}, {"Allowed memory size of"}},
    {{"php_parse_error", "", "a PHP file has a syntax error: a broken deploy (500s)"}, {}, {"PHP Parse error"}},
    {{"php_fatal", "", "a PHP script died with a fatal error: the request got a 500"}, {}, {"PHP Fatal error"}},
    {{"fpm_max_children", "", "the PHP-FPM pool is full: requests wait for a free PHP worker (pm.max_children)"},
     {}, {"reached pm.max_children"}},
    {{"fcgi_backend_down", "AH02454", "Apache cannot connect to PHP-FPM: php-fpm is down or its socket path is wrong (503s)"},
     {"AH02454", "AH01079"}, {"attempt to connect to Unix domain socket"}},
    {{"fcgi_read_failed", "AH01067", "PHP-FPM closed the connection mid-response: a PHP worker crashed or was killed"},
     {"AH01067"}, {"Failed to read FastCGI header"}},
    {{"fcgi_timeout", "AH01075", "PHP-FPM did not answer in time or dropped the request (timeout, pool exhausted, crash)"},
     {"AH01075"}, {"Error dispatching request to"}},
    {{"fcgi_error", "AH01071", "PHP-FPM reported an error for a request (the PHP message follows the code)"},
     {"AH01071"}, {}},
    {{"script_headers", "", "a CGI/FastCGI script ended before sending headers (crash, fatal error, timeout)"},
     {}, {"End of script output before headers", "Premature end of script headers"}},
    {{"backend_connect_failed", "AH00957", "the proxied backend refuses connections: down or overloaded, mod_proxy disables it (503s)"},
     {"AH00957", "AH00959"}, {"ap_proxy_connect_backend disabling worker"}},
    // Capacity
    {{"max_workers", "AH00161", "MaxRequestWorkers reached: every worker is busy and new connections queue"},
     {"AH00161", "AH00484", "AH00286"}, {"reached MaxRequestWorkers setting", "reached MaxClients setting"}},
    {{"scoreboard_full", "AH00485", "the scoreboard is full of stopping processes (event MPM after reloads): connections wait"},
     {"AH00485"}, {"scoreboard is full, not at MaxRequestWorkers"}},
    {{"near_max_workers", "", "the event MPM is close to MaxRequestWorkers: capacity is nearly exhausted"},
     {}, {"within MinSpareThreads of MaxRequestWorkers"}},
    // Crashes and the host
    {{"child_crash", "AH00052", "an Apache child process crashed (exit signal): the requests it served were cut off"},
     {"AH00052", "AH00051"}, {"exit signal"}, "child pid \\d+ exit signal"},
    {{"segfault", "", "a process crashed with SIGSEGV: a module or PHP extension bug, or bad memory"},
     {}, {"Segmentation fault", "segfault at"}},
    {{"out_of_memory", "", "memory exhausted: allocations fail or the kernel kills processes"},
     {}, {"Cannot allocate memory", "Out of memory"}},
    {{"disk_full", "", "disk full: writes fail (logs, sessions, uploads, temporary files)"}, {}, {"No space left on device"}},
    {{"too_many_open_files", "", "the file descriptor limit is reached (ulimit -n): new connections and files fail"},
     {}, {"Too many open files"}},
    // Permissions and configuration
    {{"htaccess_unreadable", "AH00529", ".htaccess cannot be read: wrong permissions on it or its directory (500s)"},
     {"AH00529"}, {"unable to check htaccess file"}},
    {{"permission_denied", "", "file or socket permissions deny the server access (a deploy, chmod/chown, SELinux)"},
     {}, {"Permission denied", "permissions deny server access", "search permissions are missing"}},
    {{"config_syntax", "AH00526", "configuration syntax error: Apache refuses to start or reload (apache2ctl -t)"},
     {"AH00526"}, {"Syntax error on line"}},
    {{"doc_root_missing", "AH00112", "the DocumentRoot directory does not exist (a deploy or a mount is missing)"},
     {"AH00112"}, {"DocumentRoot ["}, "DocumentRoot \\[.*\\] does not exist"},
    {{"redirect_loop", "AH00124", "a rewrite/redirect loop: a RewriteRule or ErrorDocument points to itself (500s)"},
     {"AH00124"}, {"internal redirects due to probable configuration error"}},
    {{"client_denied", "AH01630", "access rules (Require, Deny) refused a request: a cause when real users get 403s"},
     {"AH01630", "AH01797"}, {"client denied by server configuration"}},
    // Start-up failures
    {{"bind_failed", "AH00072", "the listen port is taken by another process: Apache cannot start"},
     {"AH00072"}, {"could not bind to address", "Address already in use"}},
    {{"no_listeners", "AH00451", "no socket to listen on: Apache exits at start (usually after a bind failure)"},
     {"AH00451"}, {"no listening sockets available"}},
    {{"logs_unopenable", "AH00015", "Apache cannot open its log files (missing directory, permissions, full disk) and exits"},
     {"AH00015"}, {"Unable to open logs"}},
    // TLS
    {{"cert_key_mismatch", "AH02565", "the certificate and private key do not match: HTTPS cannot start"},
     {"AH02565"}, {"Certificate and private key"}, "do not match"},
    {{"cert_config_failed", "AH02572", "mod_ssl could not load a certificate/key pair: HTTPS cannot start"},
     {"AH02572"}, {"Failed to configure at least one certificate and key"}},
    {{"cert_name_mismatch", "AH01909", "the certificate does not match the ServerName: clients see name-mismatch errors"},
     {"AH01909"}, {"does NOT include an ID which matches the server name"}},
    {{"cert_expired", "", "a certificate has expired: TLS clients refuse the connection"},
     {}, {"certificate has expired", "certificate expired"}},
    {{"sni_mismatch", "AH02032", "a client's SNI name and Host header differ: the request is refused (vhost or proxy misrouting)"},
     {"AH02032"}, {"provided via SNI and hostname"}},
    {{"ssl_handshake", "AH02008", "TLS handshakes fail: protocol/cipher mismatch, a bad chain or certificate, scanners"},
     {"AH02008"}, {"(?i)handshake"}, "(?i)(ssl|tls).*handshake|handshake.*(fail|error|alert)"},
    {{"ssl_library_error", "", "OpenSSL reported an error (a bad certificate or key, a protocol mismatch)"},
     {}, {"SSL Library Error"}},
    // Slow clients
    {{"request_read_timeout", "AH01382", "clients are too slow sending requests (mod_reqtimeout): network trouble or slowloris"},
     {"AH01382"}, {"Request header read timeout", "Request body read timeout"}},
    // Informational: starts, stops, reloads
    {{"no_servername", "AH00558", "ServerName is not set: harmless, logged at every start", false},
     {"AH00558"}, {"reliably determine the server's fully qualified domain name"}},
    {{"stopping", "AH00169", "Apache was told to stop (SIGTERM or graceful-stop): a stop, a restart or an upgrade", false},
     {"AH00169", "AH00170"}, {"caught SIGTERM, shutting down", "caught SIGWINCH, shutting down gracefully"}},
    {{"graceful_restart", "AH00171", "a graceful restart (apache2ctl graceful, reload, logrotate's postrotate)", false},
     {"AH00171", "AH00493"}, {"Graceful restart requested", "SIGUSR1 received"}},
    {{"startup", "AH00094", "Apache (re)started: the master process logs its command line", false},
     {"AH00094"}, {}},
    {{"resumed", "AH00489", "Apache is configured and serving requests (after a start or a restart)", false},
     {"AH00489", "AH00163"}, {"resuming normal operations"}},
};
constexpr std::size_t kSpecCount = std::size(kSpecs);

struct Table {
  std::vector<Signature> sigs;
  std::vector<std::string_view> codes;                           // every code, for ah.<code>
  std::unordered_map<std::string_view, std::vector<int>> by_code;  // code → spec indexes
  std::unique_ptr<RE2::Set> phrases;                              // all phrases, one pass
  std::vector<int> phrase_spec;                                   // set index → spec index
  std::vector<std::unique_ptr<RE2>> confirm;                      // by spec index (null: none)

  Table() {
    RE2::Options opts;
    opts.set_log_errors(false);
    phrases = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
    confirm.resize(kSpecCount);
    for (std::size_t i = 0; i < kSpecCount; ++i) {
      const Spec& s = kSpecs[i];
      sigs.push_back(s.sig);
      for (std::string_view c : s.codes) {
        if (c.empty()) continue;
        by_code[c].push_back(static_cast<int>(i));
        if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
      }
      for (std::string_view p : s.phrases) {
        if (p.empty()) continue;
        std::string pattern;
        if (p.starts_with("(?i)")) {
          pattern = "(?i)" + RE2::QuoteMeta(re2::StringPiece(p.data() + 4, p.size() - 4));
        } else {
          pattern = RE2::QuoteMeta(re2::StringPiece(p.data(), p.size()));
        }
        const int idx = phrases->Add(pattern, nullptr);
        if (idx >= 0) {
          phrase_spec.resize(static_cast<std::size_t>(idx) + 1);
          phrase_spec[static_cast<std::size_t>(idx)] = static_cast<int>(i);
        }
      }
      if (!s.confirm.empty()) {
        confirm[i] = std::make_unique<RE2>(re2::StringPiece(s.confirm.data(), s.confirm.size()), opts);
      }
    }
    phrases->Compile();
  }
};

// Never destroyed: a worker still matching lines while the process exits (evidence gathered
// for an incident that opened just before SIGTERM) must not find the compiled set gone.
const Table& table() {
  static const Table* t = new Table;
  return *t;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The first "AHnnnnn:" in a line.
std::string_view find_code(std::string_view line) {
  for (std::size_t at = line.find("AH"); at != std::string_view::npos; at = line.find("AH", at + 2)) {
    if (at + 8 > line.size()) break;
    bool ok = line[at + 7] == ':';
    for (std::size_t k = 2; ok && k < 7; ++k) ok = is_digit(line[at + k]);
    if (ok && (at == 0 || !std::isalnum(static_cast<unsigned char>(line[at - 1])))) return line.substr(at, 7);
  }
  return {};
}

void match_into(std::string_view line, std::string_view code, std::vector<int>& hits) {
  const Table& t = table();
  hits.clear();
  if (!code.empty()) {
    if (auto it = t.by_code.find(code); it != t.by_code.end()) hits.insert(hits.end(), it->second.begin(), it->second.end());
  }
  thread_local std::vector<int> set_hits;
  set_hits.clear();
  if (t.phrases->Match(re2::StringPiece(line.data(), line.size()), &set_hits)) {
    for (int h : set_hits) {
      const int spec = t.phrase_spec[static_cast<std::size_t>(h)];
      if (std::find(hits.begin(), hits.end(), spec) != hits.end()) continue;
      const RE2* c = t.confirm[static_cast<std::size_t>(spec)].get();
      if (c && !RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *c)) continue;
      hits.push_back(spec);
    }
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
}

}  // namespace

std::span<const Signature> signatures() { return table().sigs; }

const Signature* find_signature(std::string_view key) {
  for (const Signature& s : table().sigs) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::span<const std::string_view> signature_codes() { return table().codes; }

void match_signatures(std::string_view line, std::vector<const Signature*>& out) {
  out.clear();
  thread_local std::vector<int> hits;
  match_into(line, find_code(line), hits);
  const auto& sigs = table().sigs;
  for (int h : hits) out.push_back(&sigs[static_cast<std::size_t>(h)]);
}

const Signature* match_signature(const ErrorLine& line) {
  thread_local std::vector<int> hits;
  std::string_view text = line.raw.empty() ? line.message : line.raw;
  std::string_view code = line.ah_code.empty() ? find_code(text) : line.ah_code;
  match_into(text, code, hits);
  // The raw line also carries %E ("(28)No space left on device") next to the message.
  if (hits.empty() && line.raw.empty() && !line.os_error.empty()) match_into(line.os_error, {}, hits);
  return hits.empty() ? nullptr : &table().sigs[static_cast<std::size_t>(hits.front())];
}

std::vector<SignatureMatch> find_signatures(std::string_view text) {
  constexpr std::size_t kMaxLine = 2048;
  std::vector<SignatureMatch> found(kSpecCount);
  std::vector<int> hits;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    match_into(line, find_code(line), hits);
    for (int h : hits) {
      SignatureMatch& m = found[static_cast<std::size_t>(h)];
      ++m.count;
      m.line.assign(line.substr(0, kMaxLine));
    }
  }
  const auto& sigs = table().sigs;
  std::vector<SignatureMatch> out;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < kSpecCount; ++i) {
      if (found[i].count == 0 || sigs[i].cause != (pass == 0)) continue;
      found[i].signature = &sigs[i];
      out.push_back(std::move(found[i]));
    }
  }
  return out;
}

}  // namespace vigil::probe::logs
