// Credentials from the command line: `vigil hash-password` (the argon2id string for a user's
// password_hash), `vigil token create|list|revoke` (API tokens, written to the store the config
// names, so they work without the daemon and take effect on its next request), and the token
// the client commands send (VIGIL_TOKEN, or a file: --token-file / VIGIL_TOKEN_FILE).
#pragma once
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace vigil::cli {

class AuthCommands {
 public:
  // Registers the subcommands; `config_path` is the -c value they share with the others.
  AuthCommands(CLI::App& app, std::string& config_path);
  // The exit code of whichever of these commands was chosen, or nullopt if none was.
  std::optional<int> run() const;

 private:
  std::string& config_path_;
  CLI::App* hash_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* revoke_ = nullptr;
  std::string user_, name_;
  long long id_ = 0;
};

// The API token for daemon calls: `token_file` (--token-file), else VIGIL_TOKEN_FILE, else
// VIGIL_TOKEN; "" when none is set. A file that cannot be read is an error message.
struct TokenSource {
  std::string token;
  std::string error;
};
TokenSource resolve_token(const std::string& token_file);

}  // namespace vigil::cli
