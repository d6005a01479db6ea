/*
** The process heap as glibc counts it, for --max-memory: what Swift code
** holds counts against the cap too. Not Lua glue, so not in glue.c.
*/
#include <malloc.h>

#include "CLuaGlue.h"

size_t svl_heapinuse(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return 0;
#endif
}
