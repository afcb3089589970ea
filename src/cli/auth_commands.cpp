#include "cli/auth_commands.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/config.h"
#include "store/store.h"
#include "web/auth/crypto.h"

namespace vigil::cli {
namespace {

void strip_newline(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

// One line from the terminal with echo off, the prompt on stderr so stdout stays the hash.
std::optional<std::string> read_hidden(const char* prompt) {
  fmt::print(stderr, "{}", prompt);
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  fmt::print(stderr, "\n");
  if (!ok) return std::nullopt;
  strip_newline(line);
  return line;
}

int hash_password() {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    auto first = read_hidden("Password: ");
    auto second = first ? read_hidden("Again: ") : std::nullopt;
    if (!first || !second) return fmt::print(stderr, "vigil hash-password: no password read\n"), 1;
    if (*first != *second) return fmt::print(stderr, "vigil hash-password: the passwords differ\n"), 1;
    password = std::move(*first);
  } else {
    // Scripts: `echo "$PW" | vigil hash-password`, one line.
    if (!std::getline(std::cin, password)) password.clear();
    strip_newline(password);
  }
  if (password.empty()) return fmt::print(stderr, "vigil hash-password: the password is empty\n"), 1;
  auto hash = web::auth::hash_password(password);
  if (!hash.ok()) return fmt::print(stderr, "vigil hash-password: {}\n", hash.error().message), 1;
  fmt::print("{}\n", *hash);
  return 0;
}

// The config (for the user list and the store path) and its store.
struct Opened {
  std::optional<config::Config> config;
  std::unique_ptr<store::Store> store;
};
std::optional<Opened> open_store(const std::string& config_path) {
  auto loaded = config::load_config(config_path);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", config::to_string(e));
    fmt::print(stderr, "vigil token: {} is invalid; fix it first (vigil config check)\n", config_path);
    return std::nullopt;
  }
  Opened o;
  o.config = std::move(loaded.config);
  const auto& where = o.config->store;
  auto s = where.postgres.empty() ? store::open_sqlite(where.sqlite) : store::open_postgres(where.postgres);
  if (!s.ok()) {
    if (where.postgres.empty()) fmt::print(stderr, "vigil token: store {}: {}\n", where.sqlite, s.error().message);
    else fmt::print(stderr, "vigil token: store: {}\n", s.error().message);
    return std::nullopt;
  }
  o.store = std::move(s.value());
  return o;
}

int create_token(const std::string& config_path, const std::string& user, const std::string& name) {
  auto o = open_store(config_path);
  if (!o) return 1;
  bool known = false;
  for (const auto& u : o->config->users) known = known || u.id == user;
  if (!known) return fmt::print(stderr, "vigil token create: no user \"{}\" in {}\n", user, config_path), 1;
  const auto fresh = web::auth::new_api_token();
  store::ApiToken row;
  row.user = user;
  row.name = name;
  row.sha256_hex = fresh.sha256_hex;
  row.created_at = now_ms();
  auto created = o->store->create_api_token(row);
  if (!created.ok()) return fmt::print(stderr, "vigil token create: {}\n", created.error().message), 1;
  fmt::print(stderr, "token {} for {} (\"{}\"); it is shown only now, vigil keeps only its hash:\n", created->id, user,
             name);
  fmt::print("{}\n", fresh.token);
  return 0;
}

int list_tokens(const std::string& config_path) {
  auto o = open_store(config_path);
  if (!o) return 1;
  auto tokens = o->store->list_api_tokens();
  if (!tokens.ok()) return fmt::print(stderr, "vigil token list: {}\n", tokens.error().message), 1;
  fmt::print("{:>4}  {:<16} {:<20} {:<25} {}\n", "ID", "USER", "NAME", "CREATED", "LAST USED");
  for (const auto& t : *tokens) {
    fmt::print("{:>4}  {:<16} {:<20} {:<25} {}\n", t.id, t.user, t.name, format_rfc3339(t.created_at),
               t.last_used_at ? format_rfc3339(*t.last_used_at) : "never");
  }
  return 0;
}

int revoke_token(const std::string& config_path, long long id) {
  auto o = open_store(config_path);
  if (!o) return 1;
  if (Status st = o->store->delete_api_token(id); !st.ok())
    return fmt::print(stderr, "vigil token revoke: {}\n", st.error().message), 1;
  fmt::print("token {} revoked\n", id);
  return 0;
}

}  // namespace

AuthCommands::AuthCommands(CLI::App& app, std::string& config_path) : config_path_(config_path) {
  hash_ = app.add_subcommand("hash-password",
                             "Print the argon2id hash of a password for a user's password_hash (reads the password "
                             "twice from the terminal, or one line from stdin)");
  auto* token = app.add_subcommand("token", "Manage API tokens (Authorization: Bearer) in the store");
  token->require_subcommand(1);
  create_ = token->add_subcommand("create", "Create a token acting as a user; prints it once");
  create_->add_option("--user", user_, "User id from the config (the token gets this user's role)")->required();
  create_->add_option("--name", name_, "What the token is for, e.g. ci")->required();
  list_ = token->add_subcommand("list", "List tokens (never the tokens themselves)");
  revoke_ = token->add_subcommand("revoke", "Delete a token: it stops working at once");
  revoke_->add_option("id", id_, "Token id (from `vigil token list`)")->required()->check(CLI::PositiveNumber);
  for (auto* sub : {create_, list_, revoke_})
    sub->add_option("-c,--config", config_path, "Config file (its store holds the tokens)")->capture_default_str();
}

std::optional<int> AuthCommands::run() const {
  if (*hash_) return hash_password();
  if (*create_) return create_token(config_path_, user_, name_);
  if (*list_) return list_tokens(config_path_);
  if (*revoke_) return revoke_token(config_path_, id_);
  return std::nullopt;
}

TokenSource resolve_token(const std::string& token_file) {
  std::string file = token_file;
  if (file.empty()) {
    if (const char* f = std::getenv("VIGIL_TOKEN_FILE"); f && *f) file = f;
  }
  if (file.empty()) {
    const char* t = std::getenv("VIGIL_TOKEN");
    return {t ? t : "", ""};
  }
  std::ifstream in(file);
  if (!in) return {"", fmt::format("cannot read token file {}", file)};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) return {"", fmt::format("token file {} is empty", file)};
  return {token, ""};
}

}  // namespace vigil::cli
