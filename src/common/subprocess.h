// Subprocess: runs a program the operator configured (a notify command, an evidence command,
// a runbook, `diff`) and reports what happened. Blocking: call it on a BlockingWorker, never on
// an event loop. Shared by src/notify and src/respond so there is one careful runner.
//
// What it promises:
// - No shell. argv goes to posix_spawn as is, so no text in it is ever interpreted.
// - Program lookup: an argv[0] containing '/' is used as the path, never searched. A bare name
//   ("diff", "systemctl") is searched in the PATH the child will get (the explicit one below,
//   not vigil's own), in order; empty and relative PATH entries are skipped, so a bare name never
//   resolves to something in the working directory.
// - Environment: minimal and explicit. The child gets PATH and LANG=C (see
//   `minimal_environment`), then `env` on top — unless `inherit_environment` is set, when it gets
//   vigil's environment with `env` on top (the notify command contact keeps that contract).
// - stdin: `input` through a pipe (then closed), or /dev/null when `input` is empty.
// - stdout and stderr go to one pipe; the first `max_output` bytes are kept, the rest is read
//   and dropped (`truncated` is set), so a chatty child never blocks on a full pipe.
// - The child runs in a process group of its own, with default signal dispositions and an empty
//   signal mask, and none of vigil's descriptors beyond 0-2. On timeout the whole group (a script
//   and what it started) gets SIGKILL.
// - A child that exits while a background grandchild still holds the output pipe is reported at
//   once; what the grandchild writes later is not waited for.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace vigil {

struct SubprocessSpec {
  std::vector<std::string> argv;                         // argv[0]: a path, or a bare name searched in PATH
  std::string input;                                     // written to stdin, then closed; empty: /dev/null
  std::vector<std::pair<std::string, std::string>> env;  // set on top of the base environment
  bool inherit_environment = false;                      // base: vigil's environment instead of the minimal one
  Duration timeout = 30s;
  std::size_t max_output = 16 * 1024;
};

struct SubprocessResult {
  int exit_code = -1;      // when it exited; -1 when killed by a signal
  int signal = 0;          // the signal that ended it (SIGKILL after a timeout); 0 when it exited
  bool timed_out = false;  // killed (with its process group) because `timeout` passed
  std::string output;      // stdout and stderr interleaved, first max_output bytes
  bool truncated = false;  // output was longer than max_output
  Duration duration{0};    // from spawn to reaping

  bool succeeded() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// The base environment of a child that does not inherit vigil's: a standard PATH and LANG=C
// (stable, English, greppable messages — evidence is matched against known signatures).
std::vector<std::pair<std::string, std::string>> minimal_environment();

// Starts a long-running server (argv[0] a path) that outlives this call: the leader of a new
// process group (so every process of it can be signalled at once and a terminal's Ctrl-C reaches
// us, not it), default signal dispositions and an empty mask (ours must not leak in), stdin
// /dev/null, stdout and stderr appended to `log` (truncated first unless `append`), no other
// descriptors. Returns its pid; the caller stops it by that pid (or -pid for the group).
Result<int> spawn_group_leader(const std::vector<std::string>& argv, const std::string& log, bool append = false);

// Runs the program to completion (or the timeout). An error only when it could not be run at all
// (empty argv, not found, spawn failure) or its status was reaped elsewhere in the process; how
// the program ended, including a non-zero exit or the timeout, is in the result.
Result<SubprocessResult> run_subprocess(const SubprocessSpec& spec);

}  // namespace vigil
