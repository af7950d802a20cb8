#ifndef CSLUICELINUX_H
#define CSLUICELINUX_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <signal.h>

/// An epoll event with natural alignment (the kernel's struct is packed on x86_64).
typedef struct {
    uint32_t events;
    uint64_t data;
} CSluiceLinux_event;

enum {
    CSluiceLinux_EPOLLIN = 0x001,
    CSluiceLinux_EPOLLOUT = 0x004,
    CSluiceLinux_EPOLLERR = 0x008,
    CSluiceLinux_EPOLLHUP = 0x010,
    CSluiceLinux_EPOLLRDHUP = 0x2000,
    CSluiceLinux_EPOLLET = (int)(1u << 31),
};

int CSluiceLinux_epoll_create(void);
int CSluiceLinux_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int CSluiceLinux_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data);
int CSluiceLinux_epoll_del(int epfd, int fd);
int CSluiceLinux_epoll_wait(int epfd, CSluiceLinux_event *events, int maxevents, int timeout_ms);

int CSluiceLinux_eventfd(void);
int CSluiceLinux_eventfd_signal(int fd);
int CSluiceLinux_eventfd_drain(int fd);

int CSluiceLinux_timerfd(void);
/// Arms the timer at an absolute CLOCK_MONOTONIC time in nanoseconds; 0 disarms.
int CSluiceLinux_timerfd_arm(int fd, uint64_t deadline_ns);
int CSluiceLinux_timerfd_drain(int fd);
uint64_t CSluiceLinux_monotonic_ns(void);
uint64_t CSluiceLinux_realtime_ns(void);

int CSluiceLinux_socket_tcp(int family);
int CSluiceLinux_accept(int fd, struct sockaddr_storage *addr, socklen_t *len);
int CSluiceLinux_set_reuseport(int fd);
int CSluiceLinux_set_reuseaddr(int fd);
int CSluiceLinux_set_nodelay(int fd);
int CSluiceLinux_socket_error(int fd);
int CSluiceLinux_connect(int fd, const struct sockaddr *addr, socklen_t len);

/// Blocks the gateway's signals in the calling thread (call before any thread starts) and returns a signalfd.
int CSluiceLinux_signalfd_setup(void);
/// Reads one signal number from the signalfd, or -1.
int CSluiceLinux_signalfd_read(int fd);
int CSluiceLinux_errno(void);
#endif
