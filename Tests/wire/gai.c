/* getaddrinfo(name, AF_UNSPEC) as a program would call it; prints each address, exits 0 when
   one was found and 2 otherwise (as getent does). Built with musl-gcc by Tests/wire/netns.sh. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  struct addrinfo hints, *res, *p;
  char buf[64];
  if (argc != 2) return 1;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(argv[1], NULL, &hints, &res);
  if (rc != 0) {
    printf("%s\n", gai_strerror(rc));
    return 2;
  }
  for (p = res; p; p = p->ai_next) {
    void *a = p->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
                                      : (void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
    printf("%s\n", inet_ntop(p->ai_family, a, buf, sizeof buf));
  }
  freeaddrinfo(res);
  return 0;
}
