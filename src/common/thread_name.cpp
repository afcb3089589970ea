#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace vigil {

void name_this_thread(std::string_view name) {
  const std::string cut(name.substr(0, 15));  // the kernel's TASK_COMM_LEN, minus the NUL
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace vigil
