/*
** CLuaGlue: the small C layer between Lua 5.4 and Swift.
**
** It exists for two reasons. First, Swift cannot import Lua's function-like
** macros (lua_pop, lua_pcall, LUA_REGISTRYINDEX...), so each one is re-declared
** here as a static inline function. Second, Lua raises errors with longjmp, and
** a longjmp must never cross a Swift frame: every operation that may raise runs
** here, in C, under lua_pcall, or is raised by a C frame after Swift returned.
**
** Stack effects use the manual's notation [-o, +p, x]: o values popped,
** p values pushed; x is '-' (never raises), 'm' (memory errors only) or
** 'e' (any error). Swift may call only '-' functions outside a protected call.
*/
#ifndef CLUAGLUE_H
#define CLUAGLUE_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>

/* Sentinel results a Swift function returns to the trampoline. */
enum {
  /* The error value is on top of the stack: the trampoline raises it. */
  SVL_ERROR_PUSHED = -1,
  /* SVL_CALL_PUSHED - n: a function and its n arguments are on top; the
  ** trampoline calls it (any error it raises starts in a C frame, after Swift
  ** has returned) and returns its one result. */
  SVL_CALL_PUSHED = -2
};

/* Status codes of the protected helpers beyond Lua's own (LUA_OK...). */
enum {
  /* The value is not a function (svl_docall). */
  SVL_STATUS_BADTYPE = 100
};

/*
** Signature of the one Swift dispatcher: runs the Swift closure held by
** `box` with L's stack as its arguments (`owner` is svl_owner(L)); returns the
** number of results, SVL_ERROR_PUSHED or SVL_CALL_PUSHED - n. It must never
** call a function that may raise.
*/
typedef int (*svl_Dispatcher)(lua_State *L, void *owner, void *box);

/* Signature of the function that releases a retained Swift box. */
typedef void (*svl_Releaser)(void *box);

/* ===== Macro wrappers (lua.h) ===== */

/* [-n, +0, -] lua_pop */
static inline void svl_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
/* [-0, +1, m] lua_newtable */
static inline void svl_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
/* [-(n+1), +r, -] lua_pcall: protected call with message handler at msgh */
static inline int svl_pcall(lua_State *L, int n, int r, int msgh) {
  return lua_pcallk(L, n, r, msgh, 0, NULL);
}
/* [-0, +0, -] lua_upvalueindex */
static inline int svl_upvalueindex(int i) { return lua_upvalueindex(i); }
/* [-0, +0, -] LUA_REGISTRYINDEX */
static inline int svl_registryindex(void) { return LUA_REGISTRYINDEX; }
/* [-0, +0, m] lua_tostring: converts numbers in place */
static inline const char *svl_tostring(lua_State *L, int i) { return lua_tolstring(L, i, NULL); }
/* [-1, +1, -] lua_insert */
static inline void svl_insert(lua_State *L, int i) { lua_rotate(L, i, 1); }
/* [-1, +0, -] lua_remove */
static inline void svl_remove(lua_State *L, int i) { lua_rotate(L, i, -1); svl_pop(L, 1); }
/* [-1, +0, -] lua_replace */
static inline void svl_replace(lua_State *L, int i) { lua_copy(L, -1, i); svl_pop(L, 1); }
/* [-0, +1, -] lua_pushcfunction */
static inline void svl_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcclosure(L, f, 0); }
/* [-0, +0, -] lua_isnoneornil */
static inline int svl_isnoneornil(lua_State *L, int i) { return lua_type(L, i) <= 0; }
/* [-0, +0, -] luaL_typename */
static inline const char *svl_typename(lua_State *L, int i) {
  return lua_typename(L, lua_type(L, i));
}
/* [-0, +1, m] lua_pushglobaltable */
static inline void svl_pushglobaltable(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
}

/* ===== State, allocator and limits ===== */

/*
** Creates a state whose allocator counts its bytes and refuses to grow past
** `maxmemory` (0 = no cap) while Lua code runs. `owner` is an opaque pointer
** the dispatcher can read back with svl_owner. NULL if malloc fails.
*/
lua_State *svl_newstate(size_t maxmemory, void *owner);
/* Closes L (running finalizers) and frees its allocator state. */
void svl_close(lua_State *L);
/* The `owner` pointer of L (same for every thread of L). */
void *svl_owner(lua_State *L);
/*
** The thread running the innermost Swift function of L's state, or NULL when
** no Swift function runs (the trampoline keeps it, saving and restoring).
*/
lua_State *svl_running(lua_State *L);
/* How many Swift functions of L's state are running (nested calls count). */
int svl_depth(lua_State *L);
/* Sets the `owner` pointer of L. */
void svl_setowner(lua_State *L, void *owner);
/* Bytes currently allocated by L. */
size_t svl_memoryused(lua_State *L);

/* Bytes the host allocated beside Lua's own, counted against the memory cap. */
void svl_setexternal(lua_State *L, size_t bytes);

/* Bytes of the C heap in use by the whole process (glibc's mallinfo2), or 0. */
size_t svl_heapinuse(void);
/* [-0, +0, -] Opens the standard libraries under pcall; returns a status. */
int svl_openlibs(lua_State *L);
/*
** Sets the instruction budget of each top-level call (0 = unlimited);
** svl_docall re-arms it when `toplevel` is true.
*/
void svl_setbudget(lua_State *L, lua_Integer budget);
/*
** Asks the code running in L to stop: installs a hook that raises
** "interrupted!". Async-signal-safe, as lua.c's laction.
*/
void svl_interrupt(lua_State *L);

/*
** Installs (on != 0) or removes a SIGINT handler that only records the
** signal, without SA_RESTART, so that a blocking poll/select returns EINTR
** (the REPL's prompt). Used while no Lua code runs.
*/
void svl_catchsigint(int on);
/* Returns 1 if SIGINT arrived since the last call, and clears the mark. */
int svl_takesigint(void);

/* ===== Swift functions ===== */

/* Registers the dispatcher and the box releaser (once per process). */
void svl_setcallbacks(svl_Dispatcher dispatch, svl_Releaser release);
/*
** [-0, +1, -] Pushes a C closure that calls the Swift closure in `box`
** (retained by the caller; the closure takes that reference over and the
** releaser drops it when Lua collects the function). Returns a status: on
** failure the error is pushed instead and `box` has been released.
*/
int svl_pushswiftfunction(lua_State *L, void *box);

/* [-0, +0, -] A C function doing nothing: the baseline of call benchmarks. */
int svl_emptyfunction(lua_State *L);

/* ===== Result tables ===== */

/* What the value of an svl_Field is. */
enum {
  /* `length` bytes at `string`. */
  SVL_FIELD_STRING = 0,
  /* The NUL-terminated `string`, which has static storage (see svl_Field.key). */
  SVL_FIELD_STATICSTRING = 1,
  /* `integer`. */
  SVL_FIELD_INTEGER = 2,
  /* A boolean: `integer` != 0. */
  SVL_FIELD_BOOLEAN = 3,
  /* A copy of the value at stack index `integer` (absolute index). */
  SVL_FIELD_STACKVALUE = 4
};

/*
** One field of a record table. `key` is NUL-terminated and has static storage
** (a string literal): Lua's string cache finds it by address, so the key is
** not hashed again on every call.
*/
typedef struct svl_Field {
  const char *key;
  const char *string;
  size_t length;
  lua_Integer integer;
  int kind;
} svl_Field;

/*
** [-0, +1, m] Pushes a new table with exactly `n` record slots holding the
** `n` fields (raw sets, as a table constructor). Only a memory error can
** raise here, as with lua_createtable itself.
*/
void svl_pushrecord(lua_State *L, const svl_Field *fields, int n);

/* ===== Protected calls ===== */

/*
** [-(nargs+1), +(nres|1), -] Calls the function below the nargs arguments
** under pcall with lua.c's message handler (traceback). Re-arms the
** instruction budget when `toplevel`; catches SIGINT while running when
** `catchsigint` (as lua.c's docall). Returns a Lua status; on error the
** message with its traceback is on top.
*/
int svl_docall(lua_State *L, int nargs, int nres, int toplevel, int catchsigint);
/* [-1, +1, -] lua.c's msghandler: message plus traceback, __tostring aware. */
int svl_msghandler(lua_State *L);
/*
** [-0, +1, -] luaL_tolstring of the value at idx (honours __tostring and
** __name); pushes the string or the error. Returns a status.
*/
int svl_ptolstring(lua_State *L, int idx);
/* [-0, +0, -] lua_load of a buffer (mode "bt" or "t"); pushes chunk or error. */
int svl_load(lua_State *L, const char *buf, size_t len, const char *name, const char *mode);
/* [-0, +0, -] luaL_ref in the registry under pcall; LUA_NOREF on failure (pops the value). */
int svl_ref(lua_State *L);

#endif
