// Writing a postmortem's folder (README.md + images/*.svg) so that a reader — a person, git, a
// static site — never sees half a file: each file goes to a temporary name in its final folder,
// is flushed to disk, then renamed over the old one.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace vigil::app {

// `files`: paths relative to `dir` ("README.md", "images/system.svg") and their contents. The
// folders are created; files are written in order (put README.md last: its links then resolve).
Status write_files_atomically(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace vigil::app
