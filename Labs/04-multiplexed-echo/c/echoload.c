// echoload (Linux): closed-loop TCP echo load, a yardstick for the kit's echo servers. Each of CONNS connections
// sends a SIZE-byte message, waits for all SIZE bytes back, and repeats MSGS times. Prints one line of figures;
// exits 1 on any error or unfinished connection.
// usage: echoload HOST PORT CONNS MSGS SIZE
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; int sent; int got; int done; double t0; int connected; } conn_t;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: echoload HOST PORT CONNS MSGS SIZE\n"); return 2; }
  const char *host = argv[1]; int port = atoi(argv[2]), n = atoi(argv[3]), msgs = atoi(argv[4]), size = atoi(argv[5]);
  char *buf = malloc(size), *rbuf = malloc(65536); memset(buf, 'x', size);
  conn_t *c = calloc(n, sizeof *c);
  double *lat = malloc(sizeof(double) * (size_t)n * msgs); long nlat = 0;
  int ep = epoll_create1(0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) }; inet_pton(AF_INET, host, &a.sin_addr);
  double start = now(); int errors = 0, live = 0;
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) { errors++; close(fd); c[i].done = 1; continue; }
    c[i].fd = fd; live++;
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = i }; epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  struct epoll_event evs[1024];
  double deadline = start + 120;
  while (live > 0 && now() < deadline) {
    int k = epoll_wait(ep, evs, 1024, 1000);
    for (int e = 0; e < k; e++) {
      conn_t *x = &c[evs[e].data.u32];
      if (x->done) continue;
      if (evs[e].events & (EPOLLERR | EPOLLHUP)) { errors++; x->done = 1; live--; close(x->fd); continue; }
      if ((evs[e].events & EPOLLOUT) && x->sent < size) {
        if (x->sent == 0 && x->got == 0) x->t0 = now();
        ssize_t w = send(x->fd, buf + x->sent, size - x->sent, MSG_NOSIGNAL);
        if (w > 0) x->sent += w;
        if (x->sent == size) { struct epoll_event ev = { .events = EPOLLIN, .data.u32 = evs[e].data.u32 }; epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev); }
      }
      if (evs[e].events & EPOLLIN) {
        ssize_t r = recv(x->fd, rbuf, 65536, 0);
        if (r <= 0) { if (r < 0 && errno == EAGAIN) continue; errors++; x->done = 1; live--; close(x->fd); continue; }
        x->got += r;
        if (x->got >= size) {
          lat[nlat++] = now() - x->t0; x->connected++;
          x->sent = 0; x->got = 0;
          if (x->connected >= msgs) { x->done = 1; live--; close(x->fd); continue; }
          x->t0 = now();
          ssize_t w = send(x->fd, buf, size, MSG_NOSIGNAL); if (w > 0) x->sent = w;
          if (x->sent < size) { struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = evs[e].data.u32 }; epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev); }
        }
      }
    }
  }
  double el = now() - start;
  qsort(lat, nlat, sizeof(double), cmp);
  double p50 = nlat ? lat[nlat / 2] : 0, p99 = nlat ? lat[(long)(nlat * 0.99)] : 0;
  printf("conns=%d msgs=%d size=%d roundtrips=%ld errors=%d unfinished=%d seconds=%.3f rt_per_s=%.0f p50_us=%.0f p99_us=%.0f\n",
         n, msgs, size, nlat, errors, live, el, nlat / el, p50 * 1e6, p99 * 1e6);
  return errors || live ? 1 : 0;
}
