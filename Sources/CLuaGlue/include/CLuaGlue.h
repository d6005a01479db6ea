#ifndef CLUAGLUE_H
#define CLUAGLUE_H
#include <lua.h>
#endif
