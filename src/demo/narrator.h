// Narrator: the demo's voice on stdout. Plain text, one timestamped line per thing that
// happened, in the story's time zone (the postmortem's), so the narration and the report read
// the same times. `say` is the story around the facts and is silenced by --quiet; `event` is a
// fact (a page, an acknowledgement, the report written) and always printed. Thread-safe: the
// receiver narrates pages from the engine's thread while the scenario runs on the main one.
#pragma once
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "common/time.h"

namespace vigil::demo {

// "18:02:41 WAT  text" (continuation lines of a multi-line text indented under the text).
// An unknown zone falls back to UTC.
std::string narration_line(Time at, std::string_view time_zone, std::string_view text);

class Narrator {
 public:
  Narrator(std::FILE* out, bool quiet, std::string time_zone);
  void chapter(std::string_view title);  // a blank line and the title; quiet: nothing
  void say(std::string_view text);       // quiet: nothing
  void event(std::string_view text);     // always
  void block(std::string_view text);     // an excerpt (evidence, a diff), indented; quiet: nothing
  const std::string& time_zone() const { return zone_; }

 private:
  void write(const std::string& s);
  std::FILE* out_;
  bool quiet_;
  std::string zone_;
  std::mutex mu_;
};

}  // namespace vigil::demo
