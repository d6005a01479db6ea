#define _GNU_SOURCE
#include "CDatagrams.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

int svl_recv_datagrams(int fd, svl_datagram *d, unsigned count) {
  struct mmsghdr m[SVL_DATAGRAMS_MAX];
  struct iovec v[SVL_DATAGRAMS_MAX];
  if (count > SVL_DATAGRAMS_MAX) count = SVL_DATAGRAMS_MAX;
  memset(m, 0, sizeof(m[0]) * count);
  for (unsigned i = 0; i < count; i++) {
    v[i].iov_base = d[i].data;
    v[i].iov_len = d[i].capacity;
    m[i].msg_hdr.msg_iov = &v[i];
    m[i].msg_hdr.msg_iovlen = 1;
    m[i].msg_hdr.msg_name = &d[i].peer;
    m[i].msg_hdr.msg_namelen = sizeof(d[i].peer);
  }
  int got;
  do {
    got = recvmmsg(fd, m, count, MSG_DONTWAIT, NULL);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
  for (int i = 0; i < got; i++) {
    d[i].length = m[i].msg_len;
    d[i].peerlen = m[i].msg_hdr.msg_namelen;
    d[i].truncated = (m[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
  }
  return got;
}

int svl_send_datagrams(int fd, svl_datagram *d, unsigned count) {
  struct mmsghdr m[SVL_DATAGRAMS_MAX];
  struct iovec v[SVL_DATAGRAMS_MAX];
  if (count > SVL_DATAGRAMS_MAX) count = SVL_DATAGRAMS_MAX;
  unsigned n = 0;
  for (unsigned i = 0; i < count; i++) {
    if (d[i].length == 0) continue;
    memset(&m[n], 0, sizeof(m[n]));
    v[n].iov_base = d[i].data;
    v[n].iov_len = d[i].length;
    m[n].msg_hdr.msg_iov = &v[n];
    m[n].msg_hdr.msg_iovlen = 1;
    m[n].msg_hdr.msg_name = &d[i].peer;
    m[n].msg_hdr.msg_namelen = d[i].peerlen;
    n++;
  }
  unsigned done = 0;
  int sent = 0;
  while (done < n) {
    int r = sendmmsg(fd, m + done, n - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      done++; /* this one cannot go: drop it and go on with the rest */
      continue;
    }
    done += (unsigned)r;
    sent += r;
  }
  return sent;
}
