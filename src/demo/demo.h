// `vigil demo`: the seed outage (Apache2 on WebServer-01, login errors for premium users)
// replayed live. Starts a real Apache2 as the current user under <data>/demo/, a webhook
// receiver standing in for the engineers' phones, and the vigil engine in-process with
// examples/demo.yaml (its ports and paths come from VIGIL_DEMO_* variables set here); then plays
// the story (src/demo/scenario.h) and narrates it. Afterwards the UI/API stay up until Ctrl-C
// unless exit_when_done. Ctrl-C at any moment stops Apache (by its PID) and everything else.
#pragma once
#include <string>

namespace vigil::demo {

struct DemoOptions {
  double speed = 1;                       // divides every interval, delay and escalation time
  std::string listen = "127.0.0.1:8080";  // vigil's UI/API
  std::string data_dir = "data";          // <data>/demo (Apache, logs, store), <data>/postmortems
  std::string config_path;                // empty: examples/demo.yaml, found from the cwd or the binary
  bool exit_when_done = false;
  bool quiet = false;                     // facts only, no story prose
};

// Environment variables examples/demo.yaml reads.
inline constexpr const char* kEnvListen = "VIGIL_DEMO_LISTEN";      // 127.0.0.1:8080
inline constexpr const char* kEnvSite = "VIGIL_DEMO_SITE";          // http://127.0.0.1:<apache port>
inline constexpr const char* kEnvReceiver = "VIGIL_DEMO_RECEIVER";  // http://127.0.0.1:<receiver port>
inline constexpr const char* kEnvDir = "VIGIL_DEMO_DIR";            // <data>/demo, absolute
inline constexpr const char* kEnvData = "VIGIL_DEMO_DATA";          // <data>, absolute

// Exit code: 0 when the story played to the end (postmortem written), 1 when a step failed or
// could not start, 130 after Ctrl-C.
int run_demo(const DemoOptions& options);

}  // namespace vigil::demo
