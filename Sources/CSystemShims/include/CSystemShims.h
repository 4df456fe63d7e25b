// What the Swift overlay for Glibc leaves out: epoll (for SocketKit's Linux selector) and accept4, which Glibc only
// declares under _GNU_SOURCE.
#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/socket.h>

/// accept4(2): accept a connection and set flags (SOCK_CLOEXEC) on the new descriptor in the same call, so that no
/// process spawned meanwhile by another thread inherits it.
int cshims_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
#endif

#endif
