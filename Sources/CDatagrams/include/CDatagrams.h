#ifndef CDATAGRAMS_H
#define CDATAGRAMS_H

#include <stddef.h>
#include <sys/socket.h>

/* The most datagrams one call moves. */
#define SVL_DATAGRAMS_MAX 64

/* One datagram and the slot it lives in: received into `data` (`capacity` bytes), or sent
** from it (`length` bytes, 0 = nothing to send), to or from `peer`. */
typedef struct svl_datagram {
  void *data;
  size_t capacity;
  size_t length;
  struct sockaddr_storage peer;
  socklen_t peerlen;
  /* Set when the datagram was longer than the slot (MSG_TRUNC). */
  int truncated;
} svl_datagram;

/* Receives up to `count` (at most SVL_DATAGRAMS_MAX) waiting datagrams with one recvmmsg(2),
** without blocking; returns how many, 0 when none is waiting, -1 on another error (errno). */
int svl_recv_datagrams(int fd, svl_datagram *d, unsigned count);

/* Sends every datagram of `d[0..<count]` whose length is not 0 with sendmmsg(2), as few calls
** as the kernel allows; one that cannot be sent is dropped, as a failed sendto would drop it.
** Returns how many were sent. */
int svl_send_datagrams(int fd, svl_datagram *d, unsigned count);

#endif
