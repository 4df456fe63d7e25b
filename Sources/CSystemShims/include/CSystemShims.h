// What the Swift overlay for Glibc leaves out: epoll (for SocketKit's Linux selector), accept4, which Glibc only
// declares under _GNU_SOURCE, and statfs (for make doctor's question: what kind of disk is the kit on?).
#ifndef C_SYSTEM_SHIMS_H
#define C_SYSTEM_SHIMS_H

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/vfs.h>

/// accept4(2): accept a connection and set flags (SOCK_CLOEXEC) on the new descriptor in the same call, so that no
/// process spawned meanwhile by another thread inherits it.
int cshims_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
#endif

#endif
