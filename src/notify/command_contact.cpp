// Command: runs a program of the user's (a pager gateway, an SMS script) with the JSON payload
// on stdin. argv is executed directly (posix_spawn), never through a shell, so nothing in an
// incident title can become a command. The child runs on the BlockingWorker, never the loop.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/subprocess.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

constexpr std::size_t kMaxOutput = 4096;

std::string describe_output(std::string output, bool truncated) {
  std::string s = one_line(output);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty()) return {};
  return ": " + s + (truncated ? "..." : "");
}

class CommandChannel final : public Channel {
 public:
  CommandChannel(std::vector<std::string> argv, BlockingWorker& blocking, boost::asio::io_context& io, Duration timeout)
      : argv_(std::move(argv)), blocking_(blocking), io_(io), timeout_(timeout) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    CommandSpec spec;
    spec.argv = argv_;
    spec.input = message.payload;
    spec.timeout = timeout_;
    spec.env = {{"VIGIL_EVENT", message.event},
                {"VIGIL_INCIDENT_ID", std::to_string(message.incident_id)},
                {"VIGIL_MESSAGE_ID", message.id}};
    if (auto payload = parse_payload(message.payload); payload.ok()) {
      const auto v = view_of(*payload);
      if (v.page) spec.env.emplace_back("VIGIL_USER", v.page->user);
      if (v.handoff) spec.env.emplace_back("VIGIL_USER", v.handoff->user);
    }
    run_blocking(
        blocking_, io_, [spec = std::move(spec)] { return run_command(spec); }, std::move(done));
  }

 private:
  std::vector<std::string> argv_;
  BlockingWorker& blocking_;
  boost::asio::io_context& io_;
  Duration timeout_;
};

}  // namespace

Status run_command(const CommandSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return Error{"command: empty argv"};
  const std::string& name = spec.argv[0];
  SubprocessSpec sub;
  sub.argv = spec.argv;
  sub.input = spec.input;
  sub.env = spec.env;
  sub.inherit_environment = true;  // a pager gateway script may rely on the daemon's environment
  sub.timeout = spec.timeout;
  sub.max_output = kMaxOutput;
  const auto ran = run_subprocess(sub);
  if (!ran) return Error{"command " + ran.error().message};
  const SubprocessResult& r = *ran;
  const std::string out = describe_output(r.output, r.truncated);
  if (r.timed_out) {
    return Error{
        fmt::format("command {} timed out after {} and was killed{}", name, format_duration(spec.timeout), out)};
  }
  if (r.succeeded()) return Status::Ok();
  if (r.signal != 0) return Error{fmt::format("command {} killed by signal {}{}", name, r.signal, out)};
  if (r.exit_code >= 0) return Error{fmt::format("command {} exited with status {}{}", name, r.exit_code, out)};
  return Error{fmt::format("command {} ended abnormally{}", name, out)};
}

std::unique_ptr<Channel> make_command_contact(const ContactContext& ctx) {
  if (ctx.contact.command.empty() || ctx.contact.command[0].empty()) {
    return make_failing_channel("command contact has no command");
  }
  return std::make_unique<CommandChannel>(ctx.contact.command, ctx.blocking, ctx.io, ctx.options.command_timeout);
}

}  // namespace vigil::notify
