// The ceiling: a single-threaded, level-triggered epoll echo server in C (Linux). usage: cepoll_echo [PORT]
// PORT 0 picks a free port; like every server of the kit it prints "listening on HOST:PORT" once it listens.
// A yardstick, not a model: it drops bytes when a send would block (no buffer per connection).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 65432;
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001) };
  if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4096)) { perror("bind/listen"); return 1; }
  socklen_t len = sizeof a; getsockname(l, (struct sockaddr *)&a, &len);
  printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port)); fflush(stdout);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = l }; epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
  struct epoll_event evs[1024]; static char buf[65536];
  for (;;) {
    int k = epoll_wait(ep, evs, 1024, -1);
    for (int i = 0; i < k; i++) {
      int fd = evs[i].data.fd;
      if (fd == l) { int c; while ((c = accept4(l, 0, 0, SOCK_NONBLOCK)) >= 0) { struct epoll_event e = { .events = EPOLLIN, .data.fd = c }; epoll_ctl(ep, EPOLL_CTL_ADD, c, &e); } continue; }
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; close(fd); continue; }
      ssize_t off = 0; while (off < r) { ssize_t w = send(fd, buf + off, r - off, MSG_NOSIGNAL); if (w <= 0) break; off += w; }
    }
  }
}
