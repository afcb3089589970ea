// Postmortems, action items and reports over HTTP: /api/v1/incidents/{id}/postmortem[...],
// /api/v1/action-items[/{id}], /api/v1/reports. The routes own URL shapes, validation, JSON and
// the md/html/svg renderings (pure, src/postmortem); the daemon (src/app) implements the
// PostmortemBackend: it drafts, merges with what people wrote, persists and answers.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postmortem/facts.h"
#include "postmortem/report.h"
#include "store/store.h"
#include "web/api.h"

namespace vigil::web {

// A postmortem as served: its facts and the sections (generated ones fresh, edited ones as
// their author left them).
struct PostmortemView {
  postmortem::PostmortemFacts facts;
  store::StoredPostmortem pm;
};

// PATCH /api/v1/action-items/{id}: only the fields present change.
struct ActionItemPatch {
  std::optional<std::int64_t> incident_id;
  std::optional<std::string> text, owner, due, status;
};

class PostmortemBackend {
 public:
  virtual ~PostmortemBackend() = default;
  // Drafted now from the incident and merged with the stored edits (404: no such incident).
  virtual void postmortem(std::int64_t incident_id, Reply<PostmortemView> reply) = 0;
  // Each entry: a text marks the section written by `actor`; nullopt gives it back to the
  // generator. Answers after the postmortem is durable.
  virtual void edit_postmortem(std::int64_t incident_id, std::map<std::string, std::optional<std::string>> sections,
                               std::string actor, Reply<PostmortemView> reply) = 0;
  virtual void list_action_items(store::ActionItemFilter filter, Reply<std::vector<store::ActionItem>> reply) = 0;
  virtual void get_action_item(std::int64_t id, Reply<store::ActionItem> reply) = 0;  // 404 when absent
  // 400 when the item names an incident that does not exist; answers after the commit.
  virtual void create_action_item(store::ActionItem item, Reply<store::ActionItem> reply) = 0;
  virtual void update_action_item(std::int64_t id, ActionItemPatch patch, Reply<store::ActionItem> reply) = 0;
  virtual void delete_action_item(std::int64_t id, Reply<bool> reply) = 0;
  virtual void report(Time from, Time to, Reply<postmortem::Report> reply) = 0;
};

// Answers the request when its path is one of these routes (true), else leaves it (false).
// `parts` are the path's segments ("api", "v1", ...).
bool route_postmortems(PostmortemBackend* backend, const Request& req, const std::vector<std::string_view>& parts,
                       const Respond& respond);

// JSON of a report (also printed by `vigil report --json`).
std::string report_json(const postmortem::Report& r);

}  // namespace vigil::web
