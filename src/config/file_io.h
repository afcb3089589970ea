// Reading whole small files (the config itself, *_file secrets) with the OS's reason on
// failure, as a value. Private to src/config.
#pragma once
#include <string>

#include "common/result.h"

namespace vigil::config::detail {

// The error message is strerror's ("No such file or directory", "Permission denied").
Result<std::string> read_file(const std::string& path);

}  // namespace vigil::config::detail
