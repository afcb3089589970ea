// Reading whole small files (the config itself, *_file secrets) with the OS's reason on
// failure, as a value. Private to src/config.
#pragma once
#include <cstddef>
#include <string>

#include "common/result.h"

namespace vigil::config::detail {

// At most this much is read: a config or a secret is small, and `secret_file: /dev/zero` (a
// device that never ends) must be an error, not a hang.
inline constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

// The error message is strerror's ("No such file or directory", "Permission denied"), or says
// the file is larger than kMaxFileBytes.
Result<std::string> read_file(const std::string& path);

}  // namespace vigil::config::detail
