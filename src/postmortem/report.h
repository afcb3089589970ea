// Reports: availability, incidents, MTTA, MTTR, pages and open action items per service over
// a window. Pure: the store's per-service sums of the window (store::WindowSums) and the
// downtime merged from its incident spans in, rows out; nothing here holds one incident per row,
// so an alert storm's hundreds of thousands cost no memory.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace vigil::postmortem {

struct ServiceReport {
  std::string service;
  double availability = 1.0;  // 1 − (time covered by critical/error incidents ∩ window) / window
  Duration downtime{};
  int incidents = 0;          // incidents that started in the window
  int acknowledged = 0;       // of those, how many were acknowledged
  int resolved = 0;
  std::optional<Duration> mtta;  // mean detected_at → acknowledged_at over acknowledged ones
  int low_urgency = 0;           // of the incidents, low-urgency ones (nobody is expected to hurry)
  // MTTA over the high-urgency ones only, as PagerDuty's analytics count it: a low-urgency
  // incident acknowledged the next morning says nothing about how fast the on-call answers.
  std::optional<Duration> mtta_high_urgency;
  std::optional<Duration> mttr;  // mean detected_at → resolved_at over resolved ones
  int pages = 0;                 // "paged" timeline entries
  int action_items_open = 0;
};

struct Report {
  Time from{};
  Time to{};
  std::vector<ServiceReport> services;  // every service named in `services`, then any other seen
  ServiceReport total;                  // service = "" : all together
};

// Downtime counts incidents of these severities only.
bool is_outage(const std::string& severity);

// The length of a union of spans given in order of start: overlapping (or touching) spans count
// once. O(1) state; empty or reversed spans add nothing.
class SpanUnion {
 public:
  void add(Time start, Time end);  // start must not be before the previous one's
  Duration covered() const;

 private:
  Duration done_{0};                     // closed runs
  std::optional<std::pair<Time, Time>> run_;  // the run still open to overlaps
};

// Downtime per service and for all services together (an outage of two services at once is
// counted once in the total), fed store::IncidentSpan in order of start (Store::visit_spans).
class Downtime {
 public:
  void add(const store::IncidentSpan& span);  // other severities than is_outage: ignored
  Duration of(const std::string& service) const;  // zero for a service never down
  Duration total() const { return all_.covered(); }

 private:
  std::map<std::string, SpanUnion> per_service_;
  SpanUnion all_;
};

// `services`: the configured ones, listed first (quiet ones too), then any other the sums saw.
Report build_report(const std::vector<std::string>& services, const store::WindowSums& sums, const Downtime& downtime,
                    Time from, Time to);

}  // namespace vigil::postmortem
