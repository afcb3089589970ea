#include "probe/prober.h"

namespace vigil::probe {

// Placeholder until the apache_status check type lands: not registered, its checks say so.
std::unique_ptr<Prober> make_apache_status_prober() { return nullptr; }

}  // namespace vigil::probe
