// Renders the JSON body of an incident notification (the webhook contract, docs/webhook.md),
// and turns an incident's new timeline entries into outbox messages for its service's channels.
#pragma once
#include <string>
#include <vector>

#include "incident/incident.h"

namespace vigil::notify {

// Events that notify channels: triggered, acknowledged, resolved (incl. auto), note.
bool is_notifiable(const incident::TimelineEntry& e);

std::string render_payload(const incident::Incident& inc, const incident::TimelineEntry& event,
                           const std::string& external_url);

// One message per (notifiable entry, channel), id "vigil-<incident>-<seq>-<channel>".
std::vector<incident::OutboxMessage> outbox_for(const incident::Incident& inc,
                                                const std::vector<incident::TimelineEntry>& entries,
                                                const std::vector<std::string>& channels,
                                                const std::string& external_url, Time now);
}  // namespace vigil::notify
