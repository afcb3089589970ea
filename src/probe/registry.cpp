#include "probe/prober.h"

namespace vigil::probe {

// Each check type's factory, defined in its own file. A type whose prober is not built yet
// returns nullptr and its checks report "not supported".
std::unique_ptr<Prober> make_apache_status_prober();
std::unique_ptr<Prober> make_access_log_prober();
std::unique_ptr<Prober> make_error_log_prober();
std::unique_ptr<Prober> make_host_prober();
std::unique_ptr<Prober> make_process_prober();
std::unique_ptr<Prober> make_heartbeat_prober();

std::unique_ptr<Prober> make_prober(config::CheckType type) {
  switch (type) {
    case config::CheckType::http:
    case config::CheckType::tcp:
    case config::CheckType::tls:
    case config::CheckType::dns: return nullptr;
    case config::CheckType::apache_status: return make_apache_status_prober();
    case config::CheckType::access_log: return make_access_log_prober();
    case config::CheckType::error_log: return make_error_log_prober();
    case config::CheckType::host: return make_host_prober();
    case config::CheckType::process: return make_process_prober();
    case config::CheckType::heartbeat: return make_heartbeat_prober();
  }
  return nullptr;
}

}  // namespace vigil::probe
