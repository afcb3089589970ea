// The few primitives authentication is built from, all libsodium: random ids, SHA-256 for
// storing secrets, constant-time comparison and argon2id password hashes. Nothing here keeps
// state; every function is safe to call from any thread.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace vigil::web::auth {

// `bytes` random bytes from the OS CSPRNG, base64url without padding (32 bytes → 43 chars).
std::string random_token(std::size_t bytes = 32);

// Lower-case hex SHA-256: what the store keeps of session ids and API tokens, so a copy of the
// database does not log anyone in.
std::string sha256_hex(std::string_view data);

// Equal length and bytes, in time that depends only on the length.
bool constant_time_equal(std::string_view a, std::string_view b);

// An argon2id string ("$argon2id$v=19$m=65536,t=2,p=1$...") with libsodium's INTERACTIVE
// limits (64 MiB, about 0.1 s): what `vigil hash-password` prints.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash` (argon2id or argon2i strings). A malformed hash is
// simply no match. Costs what hashing costs: call it off the event loop.
bool verify_password(std::string_view hash, std::string_view password);

// An API token as handed to its owner once ("vgl_" + 43 base64url characters) and the hash
// the store keeps.
struct NewApiToken {
  std::string token;
  std::string sha256_hex;
};
NewApiToken new_api_token();
inline constexpr std::string_view kApiTokenPrefix = "vgl_";

}  // namespace vigil::web::auth
