// Names the calling thread ("vigil-http", "vigil-commit"...) so `top -H`, `ps -L`, perf and gdb
// tell vigil's threads apart. Linux keeps at most 15 bytes; a longer name is cut.
#pragma once
#include <string_view>

namespace vigil {

void name_this_thread(std::string_view name);

}  // namespace vigil
