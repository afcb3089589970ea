// Contact methods: how a person is paged (users[].contacts[] in vigil.yaml, docs/contacts.md).
// Each type is a Channel adapter in its own file (slack_contact.cpp, email_contact.cpp, ...)
// that renders the vigil payload (docs/webhook.md, plus "page" and "links" on pages) into what
// the receiving service understands, and is registered in one table in contact.cpp: adding a
// type never touches the incident or on-call code.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "common/time.h"
#include "config/config.h"
#include "notify/channel.h"

namespace boost::asio {
class io_context;
}

namespace vigil {
class BlockingWorker;
}

namespace vigil::notify {

struct ContactOptions {
  Duration http_timeout = 10s;     // per attempt: webhook, slack, discord, msteams, ntfy, pagerduty
  Duration smtp_timeout = 30s;     // whole SMTP transaction
  Duration command_timeout = 30s;  // then the command's process group is killed
};

// The adapter for `contact`. HTTP types go through `http` on its io_context (`io`, the same
// one). `email` and `command` block (an SMTP transaction, a child process), so they run on
// `blocking` and post their outcome back to `io`: done() always runs on the io thread, as
// Channel promises. Give them a worker of their own rather than the store's: a command may
// hold its worker for up to `command_timeout`. Jobs in flight need `io` alive until
// `blocking` is destroyed.
//
// Never null: a contact that cannot work (unknown type, email without smtp.url, command
// without argv) gets a channel that fails every delivery saying why, so its pages wait in
// the outbox (visible, retried after a reload) instead of vanishing.
std::unique_ptr<Channel> make_contact_channel(const config::ContactMethod& contact, const config::SmtpConfig& smtp,
                                              net::HttpClient& http, BlockingWorker& blocking,
                                              boost::asio::io_context& io, const ContactOptions& options = {});

// True for the types make_contact_channel knows (webhook, slack, discord, msteams, ntfy,
// pagerduty, email, command).
bool known_contact_type(std::string_view type);

}  // namespace vigil::notify
