#define _GNU_SOURCE
#include "CSystemShims.h"

#ifdef __linux__
int cshims_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
#endif
