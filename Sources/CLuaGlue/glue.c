/*
** CLuaGlue: allocator with a cap, limits, the Swift trampoline, protected
** helpers. Everything that may raise a Lua error lives here, so that the
** longjmp always starts and ends in C or Lua frames.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "CLuaGlue.h"

/*
** Per-state control block, shared by all threads of a state because it is
** the allocator's user data (lua_getallocf returns it from any thread).
*/
typedef struct Control {
  size_t used;            /* bytes allocated */
  size_t cap;             /* 0 = no cap */
  size_t external;        /* bytes the host holds beside Lua's, counted in the cap */
  int enforce;            /* 1 while Lua code runs: the cap applies */
  lua_Integer budget;     /* instructions per top-level call; 0 = none */
  lua_Integer remaining;  /* what is left of the budget */
  void *owner;            /* the Swift LuaState */
  lua_State *running;     /* thread inside the innermost Swift function, or NULL */
  int depth;              /* Swift functions currently running */
} Control;

static svl_Dispatcher dispatcher = NULL;
static svl_Releaser releaser = NULL;

/* The state whose hook SIGINT sets (lua.c's globalL); one REPL per process. */
static lua_State *volatile sigintstate = NULL;

/* Returns the control block of L. */
static Control *control(lua_State *L) {
  void *ud = NULL;
  lua_getallocf(L, &ud);
  return (Control *)ud;
}

/* {====================================================== Allocator */

/*
** lua_Alloc counting bytes. The cap is enforced only while Lua code runs
** under svl_docall (`enforce`), where a NULL result turns into a Lua memory
** error caught by that pcall. In Swift frames a failure would longjmp over
** Swift, so there the cap is lifted and a real out-of-memory aborts.
*/
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Control *c = (Control *)ud;
  if (ptr == NULL) osize = 0;  /* osize then encodes the object's type */
  if (nsize == 0) {
    free(ptr);
    c->used -= osize;
    return NULL;
  }
  if (c->cap != 0 && c->enforce && nsize > osize &&
      c->used + c->external - osize + nsize > c->cap)
    return NULL;  /* Lua runs an emergency collection and retries, then raises */
  void *p = realloc(ptr, nsize);
  if (p == NULL) {
    if (c->enforce) return NULL;
    fputs("svclab: out of memory\n", stderr);
    abort();
  }
  c->used = c->used - osize + nsize;
  return p;
}

/* Panic function: an error outside any protected call is a bug in the host. */
static int l_panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "svclab: unprotected Lua error (%s)\n", msg ? msg : "?");
  return 0;  /* lua then aborts */
}

lua_State *svl_newstate(size_t maxmemory, void *owner) {
  Control *c = (Control *)calloc(1, sizeof(Control));
  if (c == NULL) return NULL;
  c->cap = maxmemory;
  c->owner = owner;
  lua_State *L = lua_newstate(l_alloc, c);
  if (L == NULL) {
    free(c);
    return NULL;
  }
  lua_atpanic(L, l_panic);
  return L;
}

void svl_close(lua_State *L) {
  Control *c = control(L);
  if (sigintstate == L) sigintstate = NULL;
  lua_close(L);
  free(c);
}

void *svl_owner(lua_State *L) { return control(L)->owner; }

lua_State *svl_running(lua_State *L) { return control(L)->running; }

int svl_depth(lua_State *L) { return control(L)->depth; }

void svl_setowner(lua_State *L, void *owner) { control(L)->owner = owner; }

size_t svl_memoryused(lua_State *L) { return control(L)->used; }

void svl_setexternal(lua_State *L, size_t bytes) { control(L)->external = bytes; }

/* lua_CFunction opening the standard libraries (may raise memory errors). */
static int openlibs(lua_State *L) {
  luaL_openlibs(L);
  return 0;
}

int svl_openlibs(lua_State *L) {
  lua_pushcfunction(L, openlibs);
  return lua_pcall(L, 0, 0, 0);
}

/* }====================================================== */

/* {====================================================== Hooks */

/*
** Count hook charging the instruction budget. Once the budget is spent it
** stays armed with a count of 1, so a `pcall` in the script cannot swallow
** the error and keep running: the next instruction raises again.
*/
static void budgethook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  Control *c = control(L);
  c->remaining -= lua_gethookcount(L);
  if (c->remaining <= 0) {
    if (lua_gethookcount(L) != 1) lua_sethook(L, budgethook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exceeded (%I instructions)", c->budget);
  } else if (c->remaining < lua_gethookcount(L)) {
    lua_sethook(L, budgethook, LUA_MASKCOUNT, (int)c->remaining);
  }
}

/* Gives L a full budget again (or removes the hook when there is none). */
static void armbudget(lua_State *L) {
  Control *c = control(L);
  if (c->budget <= 0) {
    if (lua_gethook(L) == budgethook) lua_sethook(L, NULL, 0, 0);
    return;
  }
  c->remaining = c->budget;
  lua_Integer step = c->budget < (1 << 30) ? c->budget : (1 << 30);
  lua_sethook(L, budgethook, LUA_MASKCOUNT, (int)step);
}

void svl_setbudget(lua_State *L, lua_Integer budget) {
  control(L)->budget = budget > 0 ? budget : 0;
  armbudget(L);
}

/* lua.c's lstop: clears itself and raises "interrupted!" inside Lua. */
static void stophook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

void svl_interrupt(lua_State *L) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  lua_sethook(L, stophook, flag, 1);  /* lua_sethook is signal-safe */
}

/* lua.c's laction: a second Ctrl-C gets the default action (terminate). */
static void laction(int sig) {
  signal(sig, SIG_DFL);
  lua_State *L = sigintstate;
  if (L != NULL) svl_interrupt(L);
}

static volatile sig_atomic_t sigintseen = 0;

/* Handler for the prompt: remember the signal; the REPL polls for it. */
static void markaction(int sig) {
  (void)sig;
  sigintseen = 1;
}

void svl_catchsigint(int on) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on ? markaction : SIG_DFL;
  sa.sa_flags = 0;  /* no SA_RESTART: poll() must return EINTR */
  sigaction(SIGINT, &sa, NULL);
}

int svl_takesigint(void) {
  int seen = sigintseen;
  sigintseen = 0;
  return seen;
}

/* }====================================================== */

/* {====================================================== Swift functions */

void svl_setcallbacks(svl_Dispatcher dispatch, svl_Releaser release) {
  dispatcher = dispatch;
  releaser = release;
}

/*
** The lua_CFunction behind every Swift function. Upvalue 1 is the box
** userdata. The Swift dispatcher never raises; SVL_ERROR_PUSHED means the
** error value is on top, and this C frame raises it, adding the caller's
** position to string messages as luaL_error does; SVL_CALL_PUSHED - n means a
** call to make from here, whose result is the function's.
*/
static int trampoline(lua_State *L) {
  void **ud = (void **)lua_touserdata(L, lua_upvalueindex(1));
  Control *c = control(L);
  int enforce = c->enforce;
  lua_State *running = c->running;
  c->enforce = 0;  /* no memory errors while Swift frames are live */
  c->running = L;  /* callbacks into Lua from Swift use this thread's stack */
  c->depth++;
  int n = dispatcher(L, c->owner, *ud);
  c->depth--;
  c->running = running;
  if (n >= 0) {
    c->enforce = enforce;
    return n;
  }
  if (n <= SVL_CALL_PUSHED) {
    c->enforce = enforce;
    lua_call(L, SVL_CALL_PUSHED - n, 1);
    return 1;
  }
  if (lua_type(L, -1) == LUA_TSTRING) {  /* still uncapped: a memory error's message must fit */
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  c->enforce = enforce;
  return lua_error(L);
}

/* __gc of a box userdata: drops the Swift reference exactly once. */
static int releasebox(lua_State *L) {
  void **ud = (void **)lua_touserdata(L, 1);
  if (ud != NULL && *ud != NULL) {
    void *box = *ud;
    *ud = NULL;
    releaser(box);
  }
  return 0;
}

typedef struct Pending {
  void *box;
  int adopted;  /* the userdata owns the box: its __gc releases it */
} Pending;

/* Builds the closure (may raise memory errors: runs under pcall). */
static int pushswift(lua_State *L) {
  Pending *p = (Pending *)lua_touserdata(L, 1);
  void **ud = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
  *ud = NULL;
  if (luaL_newmetatable(L, "svclab.SwiftFunction")) {
    lua_pushcfunction(L, releasebox);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "SwiftFunction");
    lua_setfield(L, -2, "__name");
  }
  lua_setmetatable(L, -2);
  *ud = p->box;
  p->adopted = 1;
  lua_pushcclosure(L, trampoline, 1);
  return 1;
}

int svl_pushswiftfunction(lua_State *L, void *box) {
  Pending p = {box, 0};
  lua_pushcfunction(L, pushswift);
  lua_pushlightuserdata(L, &p);
  int status = lua_pcall(L, 1, 1, 0);
  if (status != LUA_OK && !p.adopted) releaser(box);
  return status;
}

int svl_emptyfunction(lua_State *L) {
  (void)L;
  return 0;
}

void svl_pushrecord(lua_State *L, const svl_Field *fields, int n) {
  int i;
  lua_createtable(L, 0, n);
  for (i = 0; i < n; i++) {
    const svl_Field *f = &fields[i];
    lua_pushstring(L, f->key);
    switch (f->kind) {
      case SVL_FIELD_STRING: lua_pushlstring(L, f->string, f->length); break;
      case SVL_FIELD_STATICSTRING: lua_pushstring(L, f->string); break;
      case SVL_FIELD_INTEGER: lua_pushinteger(L, f->integer); break;
      case SVL_FIELD_BOOLEAN: lua_pushboolean(L, f->integer != 0); break;
      default: lua_pushvalue(L, (int)f->integer); break;
    }
    lua_rawset(L, -3);
  }
}

/* }====================================================== */

/* {====================================================== Protected calls */

int svl_msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {  /* error object is not a string */
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;  /* that is the message */
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int svl_docall(lua_State *L, int nargs, int nres, int toplevel, int catchsigint) {
  int base = lua_gettop(L) - nargs;  /* function index */
  if (lua_type(L, base) != LUA_TFUNCTION) {
    lua_pushfstring(L, "attempt to call a %s value", luaL_typename(L, base));
    lua_rotate(L, base, 1);  /* error goes where the function was */
    lua_settop(L, base);
    return SVL_STATUS_BADTYPE;
  }
  Control *c = control(L);
  int enforce = c->enforce;
  void (*oldsig)(int) = SIG_DFL;
  lua_pushcfunction(L, svl_msghandler);
  lua_insert(L, base);
  if (toplevel) armbudget(L);
  if (catchsigint) {
    sigintstate = L;
    oldsig = signal(SIGINT, laction);
  }
  c->enforce = 1;
  int status = lua_pcall(L, nargs, nres, base);
  c->enforce = enforce;
  if (catchsigint) {
    signal(SIGINT, oldsig);
    sigintstate = NULL;
  }
  if (toplevel) armbudget(L);  /* a spent budget must not leak into the caller */
  lua_remove(L, base);
  return status;
}

/* luaL_tolstring under pcall: argument the value. */
static int tolstring(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

int svl_ptolstring(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_pushcfunction(L, tolstring);
  lua_pushvalue(L, idx);
  return lua_pcall(L, 1, 1, 0);
}

int svl_load(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
  return luaL_loadbufferx(L, buf, len, name, mode);
}

/* luaL_ref under pcall: argument the value; returns the reference. */
static int makeref(lua_State *L) {
  lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
  return 1;
}

int svl_ref(lua_State *L) {
  lua_pushcfunction(L, makeref);
  lua_rotate(L, -2, 1);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    return LUA_NOREF;
  }
  int ref = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return ref;
}

/* }====================================================== */
