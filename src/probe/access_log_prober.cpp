#include "probe/prober.h"

namespace vigil::probe {

// Placeholder until the access_log check type lands: not registered, its checks say so.
std::unique_ptr<Prober> make_access_log_prober() { return nullptr; }

}  // namespace vigil::probe
