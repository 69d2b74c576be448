/* weft-fiber.c: fiber contexts and the stack pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stacks are reserved with MAP_NORESERVE, so a task only costs the pages its
 * stack really touches (usually one). What an overflow meets (docs/design-notes.md,
 * "Task stacks", says the same for users):
 *
 * - Guarded stacks (the first WEFT_GUARDED_STACKS_MAX, default 8192, and every
 *   stack of a custom size while mappings last) each get their own mapping with
 *   a PROT_NONE guard region of WEFT_STACK_GUARD_SIZE (256 KiB) below them. Any
 *   frame up to that size that runs past the stack faults in the guard at once,
 *   even when the compiler does not probe large frames (Debian's gcc has
 *   -fstack-clash-protection off). The guard is address space only: one VMA,
 *   no memory. A guard splits the mapping in two VMAs, and Debian's default
 *   vm.max_map_count (65530) stops a process at ~32,000 of them.
 * - Arena stacks (past that limit) are carved from arenas of ARENA_STACKS
 *   default stacks without guards. Below each stack lies an unused gap of
 *   WEFT_ARENA_GAP (64 KiB, address space only), so a frame of up to 64 KiB that
 *   runs past its stack writes into nothing anybody uses. The canary sits at the
 *   bottom of that gap (in the last bytes of the stack below, on the page that
 *   holds its top frames: no page of its own) and is checked every time the
 *   task switches out, so a deeper overflow is reported with the task's name
 *   before anything runs on the smashed stack. With WEFT_DEBUG=1 a write
 *   anywhere in the gap is reported too (mincore() at each switch out). Each
 *   arena starts with a guard page, so unbounded recursion faults and the
 *   SIGSEGV handler names the task.
 * - Not caught: a single frame larger than the guard (or gap) that writes only
 *   beyond it. Give tasks with big locals a bigger stack
 *   (weft_task_set_stack_size()) or allocate the buffer.
 *
 * Released stacks of the default size go back to the pool (LIFO, still warm)
 * and are reused, guarded ones too: the pool keeps its high-water mark, as
 * the ready queue does (unmapping all but 1,024 guarded stacks cost the next
 * wave of 100,000 tasks 7,000 page faults and 60 ms).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef HAVE_VALGRIND_H
# include <valgrind/memcheck.h>
# include <valgrind/valgrind.h>
#endif
#ifdef HAVE_SANITIZER_ASAN
# include <sanitizer/asan_interface.h>
#endif

#include "weft-fiber-private.h"

#define DEFAULT_MAX_GUARDED 8192
#define ARENA_STACKS        64
#define CANARY              G_GUINT64_CONSTANT (0x5745465453544b21) /* "WEFTSTK!" */
#define CANARY_SIZE         WEFT_STACK_CANARY_SIZE
/* An arena stack's region: the gap below it, then the stack. */
#define ARENA_REGION        (WEFT_ARENA_GAP + WEFT_DEFAULT_STACK_SIZE)

struct _WeftStackPool
{
  /* Default-size stacks ready for reuse, the last released on top: an array,
   * not a list through the stacks, so taking one reads nothing in its page
   * (a cache and TLB miss when the pool is big). */
  WeftStack **free;
  guint      n_free;
  guint      free_capacity;
  guint      n_guarded;    /* guarded mappings alive */
  guint      max_guarded;
  GArray    *arenas;       /* guint8 * bases, each ARENA_STACKS default stacks */
  guint      arena_used;   /* stacks carved from the last arena */
};

#ifdef WEFT_FIBER_ASM

void _weft_fiber_switch (void **save_sp, void *to_sp);
void _weft_fiber_start (void);

void
_weft_fiber_context_init (WeftFiberContext *context,
                          WeftStack        *stack,
                          WeftFiberEntry    entry,
                          void             *arg)
{
  guintptr top = ((guintptr) (stack->base + stack->size)) & ~(guintptr) 15;
  void **sp;

# ifdef HAVE_SANITIZER_ASAN
  /* A stack used before still has the redzones of the frames its last task
   * never returned from (task_entry()'s, whose task ended): clean for the
   * new fiber. */
  ASAN_UNPOISON_MEMORY_REGION (stack->base, top - (guintptr) stack->base);
# endif
# if defined(__x86_64__)
  /* The frame _weft_fiber_switch pops: control words, r15..r12, rbx, rbp, and
   * the return address. After it, %rsp == top, 16-byte aligned. */
  sp = (void **) (top - 64);
  ((guint32 *) sp)[0] = 0x1F80;             /* MXCSR default */
  ((guint16 *) sp)[2] = 0x037F;             /* x87 control word default */
  sp[1] = NULL;                             /* r15 */
  sp[2] = NULL;                             /* r14 */
  sp[3] = (void *) entry;                   /* r13 */
  sp[4] = arg;                              /* r12 */
  sp[5] = NULL;                             /* rbx */
  sp[6] = NULL;                             /* rbp */
  sp[7] = (void *) _weft_fiber_start;       /* return address */
# else
  sp = (void **) (top - 176);
  memset (sp, 0, 176);
  sp[0] = arg;                              /* x19 */
  sp[1] = (void *) entry;                   /* x20 */
  sp[11] = (void *) _weft_fiber_start;      /* x30 */
# endif
  context->sp = sp;
}

void
_weft_fiber_swap (WeftFiberContext *save,
                  WeftFiberContext *to)
{
  _weft_fiber_switch (&save->sp, to->sp);
}

#else /* ucontext fallback */

/* makecontext() only passes int arguments portably: the entry and its
 * argument travel through these, read by the fiber's first instructions. */
static _Thread_local WeftFiberEntry start_entry;
static _Thread_local void *start_arg;

static void
fiber_start (void)
{
  start_entry (start_arg);
}

void
_weft_fiber_context_init (WeftFiberContext *context,
                          WeftStack        *stack,
                          WeftFiberEntry    entry,
                          void             *arg)
{
  getcontext (&context->uc);
  context->uc.uc_stack.ss_sp = stack->base;
  context->uc.uc_stack.ss_size = stack->size;
  context->uc.uc_link = NULL;
  makecontext (&context->uc, fiber_start, 0);
  /* The caller switches to the new fiber right after this. */
  start_entry = entry;
  start_arg = arg;
}

void
_weft_fiber_swap (WeftFiberContext *save,
                  WeftFiberContext *to)
{
  swapcontext (&save->uc, &to->uc);
}

#endif

/* ------------------------------------------------------------------- stacks */

static gsize
page_size (void)
{
  static gsize size;

  if (G_UNLIKELY (size == 0))
    size = (gsize) sysconf (_SC_PAGESIZE);
  return size;
}

static gsize
round_to_pages (gsize size)
{
  gsize page = page_size ();

  return (size + page - 1) & ~(page - 1);
}

/* What a stack with a mapping of its own has below it: its guard, or its gap. */
static gsize
mapped_below (void)
{
  return round_to_pages (MAX (WEFT_STACK_GUARD_SIZE, WEFT_ARENA_GAP + CANARY_SIZE));
}

static gsize
arena_size (void)
{
  return ARENA_REGION * ARENA_STACKS + 2 * page_size ();
}

/* The WeftStack header sits at the very top of the stack's own memory; a
 * pooled stack has its home (WEFT_STACK_HOME_SIZE bytes, a cache line
 * aligned) right below it, above the frames. An unguarded stack's canary
 * sits @gap bytes below its base. */
static WeftStack *
stack_init (guint8   *base,
            guint8   *end,
            gsize     gap,
            gboolean  guarded,
            gboolean  mapped,
            gboolean  pooled)
{
  WeftStack *stack = (WeftStack *) (((guintptr) end - sizeof (WeftStack)) & ~(guintptr) 15);
  guint8 *top = pooled ? (guint8 *) _weft_stack_home (stack) : (guint8 *) stack;

  /* Stores only (see the flags in weft-fiber-private.h). */
  *stack = (WeftStack) {
    .base = base,
    .size = (gsize) (top - base),
    .gap = gap,
    .guarded = guarded,
    .mapped = mapped,
    .pooled = pooled,
  };
  if (!guarded)
    *_weft_stack_canary_address (stack) = CANARY;
#ifdef HAVE_VALGRIND_H
  VALGRIND_STACK_REGISTER (base, base + stack->size);
#endif
  return stack;
}

static guint8 *
map_region (gsize    size,
            GError **error)
{
  void *mem = mmap (NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

  if (mem == MAP_FAILED)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot map %" G_GSIZE_FORMAT " bytes for a task stack: %s", size, g_strerror (saved));
      return NULL;
    }
  return mem;
}

/* Its own mapping: a guard region below the stack, or (when the process is
 * out of mappings for guards) a gap and a canary, like an arena stack's. */
static WeftStack *
stack_new_mapped (WeftStackPool  *pool,
                  gsize           size,
                  gboolean        pooled,
                  GError        **error)
{
  gsize below = mapped_below ();
  gsize total = round_to_pages (size) + below;
  guint8 *mem = map_region (total, error);

  if (mem == NULL)
    return NULL;
  if (pool->n_guarded < pool->max_guarded && mprotect (mem, below, PROT_NONE) == 0)
    {
      pool->n_guarded++;
      return stack_init (mem + below, mem + total, 0, TRUE, TRUE, pooled);
    }
  else
    {
      /* No guard (over the limit, or mprotect failed at the kernel's map
       * limit): a gap and a canary, which costs this stack one more page. */
      return stack_init (mem + below, mem + total, below - CANARY_SIZE, FALSE, TRUE, pooled);
    }
}

/* Arena layout: a guard page, a page for stack 0's canary, then ARENA_STACKS
 * regions of a gap and a stack each. Stack i's canary is at the bottom of its gap, which is the last
 * CANARY_SIZE bytes of stack i-1's region. */
static WeftStack *
stack_new_from_arena (WeftStackPool  *pool,
                      GError        **error)
{
  gsize page = page_size ();
  guint8 *arena, *region;

  if (pool->arenas->len == 0 || pool->arena_used == ARENA_STACKS)
    {
      if ((arena = map_region (arena_size (), error)) == NULL)
        return NULL;
#ifdef MADV_NOHUGEPAGE
      /* Huge pages would make every touched stack cost 2 MiB. */
      madvise (arena, arena_size (), MADV_NOHUGEPAGE);
#endif
      /* Stack 0's canary lives in the second page; the guard page below it
       * stops unbounded recursion (the SIGSEGV handler names the task). */
      mprotect (arena, page, PROT_NONE);
      g_array_append_val (pool->arenas, arena);
      pool->arena_used = 0;
    }
  arena = g_array_index (pool->arenas, guint8 *, pool->arenas->len - 1);
  region = arena + 2 * page + ARENA_REGION * pool->arena_used++;
  return stack_init (region + WEFT_ARENA_GAP, region + ARENA_REGION - CANARY_SIZE, WEFT_ARENA_GAP, FALSE, FALSE, TRUE);
}

/* A pooled stack's home is lent with the stack and taken back with it: in
 * between it is the owner's (a task's struct, weft-task.c); in the pool,
 * AddressSanitizer and Valgrind see it as freed memory, so a task used after
 * its last reference is reported as a heap block would be. */
static void
home_lend (WeftStack *stack)
{
#ifdef HAVE_SANITIZER_ASAN
  ASAN_UNPOISON_MEMORY_REGION (_weft_stack_home (stack), WEFT_STACK_HOME_SIZE);
#endif
#ifdef HAVE_VALGRIND_H
  VALGRIND_MAKE_MEM_UNDEFINED (_weft_stack_home (stack), WEFT_STACK_HOME_SIZE);
#endif
}

static void
home_take_back (WeftStack *stack)
{
#ifdef HAVE_SANITIZER_ASAN
  ASAN_POISON_MEMORY_REGION (_weft_stack_home (stack), WEFT_STACK_HOME_SIZE);
#endif
#ifdef HAVE_VALGRIND_H
  VALGRIND_MAKE_MEM_NOACCESS (_weft_stack_home (stack), WEFT_STACK_HOME_SIZE);
#endif
}

static void
stack_unmap (WeftStackPool *pool,
             WeftStack     *stack)
{
  gsize below = mapped_below ();
  guint8 *mem = stack->base - below;
  gsize total = round_to_pages ((guint8 *) stack + sizeof (WeftStack) - stack->base) + below;

  g_assert (stack->mapped);
  if (stack->guarded)
    pool->n_guarded--;
  munmap (mem, total);
}

WeftStackPool *
_weft_stack_pool_new (void)
{
  WeftStackPool *pool = g_new0 (WeftStackPool, 1);
  const char *env = g_getenv ("WEFT_GUARDED_STACKS_MAX");

  pool->max_guarded = env ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_MAX_GUARDED;
  pool->arenas = g_array_new (FALSE, FALSE, sizeof (guint8 *));
  return pool;
}

void
_weft_stack_pool_free (WeftStackPool *pool)
{
  if (pool == NULL)
    return;
  for (guint i = 0; i < pool->n_free; i++)
    {
      home_lend (pool->free[i]);   /* (the shadow outlives the mapping) */
      if (pool->free[i]->mapped)
        stack_unmap (pool, pool->free[i]);
    }
  g_free (pool->free);
  for (guint i = 0; i < pool->arenas->len; i++)
    munmap (g_array_index (pool->arenas, guint8 *, i), arena_size ());
  g_array_unref (pool->arenas);
  g_free (pool);
}

void
_weft_stack_pool_set_guard_limit (WeftStackPool *pool,
                                  guint          max_guarded)
{
  pool->max_guarded = max_guarded;
}

guint
_weft_stack_pool_n_guarded (WeftStackPool *pool)
{
  return pool->n_guarded;
}

/* A stack of @size bytes (0: the default), or NULL with @error set when the
 * process is out of address space or mappings. */
WeftStack *
_weft_stack_pool_acquire (WeftStackPool  *pool,
                          gsize           size,
                          GError        **error)
{
  if (_weft_stack_size_is_default (size))
    {
      WeftStack *stack;

      if (pool->n_free > 0)
        stack = pool->free[--pool->n_free];
      else if (pool->n_guarded >= pool->max_guarded)
        stack = stack_new_from_arena (pool, error);
      else
        stack = stack_new_mapped (pool, WEFT_DEFAULT_STACK_SIZE, TRUE, error);
      if (stack != NULL)
        home_lend (stack);
      return stack;
    }
  return stack_new_mapped (pool, MAX (size, WEFT_MIN_STACK_SIZE), FALSE, error);
}

void
_weft_stack_pool_release (WeftStackPool *pool,
                          WeftStack     *stack)
{
  if (!stack->pooled)
    {
      stack_unmap (pool, stack);
      return;
    }
  home_take_back (stack);
  if (G_UNLIKELY (pool->n_free == pool->free_capacity))
    {
      pool->free_capacity = MAX (64, pool->free_capacity * 2);
      pool->free = g_renew (WeftStack *, pool->free, pool->free_capacity);
    }
  pool->free[pool->n_free++] = stack;
}

/* The stack that the @nth acquire from now will take, if the pool has it:
 * its home and header are about to be written. */
void
_weft_stack_pool_prefetch (WeftStackPool *pool,
                           guint          nth)
{
  if (pool != NULL && nth < pool->n_free)
    {
      const WeftStack *stack = pool->free[pool->n_free - 1 - nth];
      const guint8 *home = _weft_stack_home (stack);

      for (gsize offset = 0; offset < WEFT_STACK_HOME_SIZE; offset += 64)
        __builtin_prefetch (home + offset, 1);
      __builtin_prefetch (stack, 1);
    }
}

/* Guarded stacks need no canary: their guard faults first. With @thorough
 * (debug mode), an arena stack's gap must also be untouched: a frame that
 * jumped over the canary wrote there. */
gboolean
_weft_stack_check_canary (WeftStack *stack,
                          gboolean   thorough)
{
  if (stack->guarded)
    return TRUE;
  if (*_weft_stack_canary_address (stack) != CANARY)
    return FALSE;
  if (G_UNLIKELY (thorough))
    {
      gsize page = page_size ();
      guint8 *first = (guint8 *) round_to_pages ((gsize) (stack->base - stack->gap));
      gsize n = (stack->base - first) / page;
      unsigned char resident[64];

      n = MIN (n, sizeof resident);
      if (n > 0 && mincore (first, n * page, resident) == 0)
        for (gsize i = 0; i < n; i++)
          if (resident[i] & 1)
            return FALSE;
    }
  return TRUE;
}
