/* weft-fiber.c: fiber contexts and the stack pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stacks are reserved with MAP_NORESERVE, so a task only costs the pages its
 * stack really touches (usually one). The first stacks each get their own
 * mapping with a PROT_NONE guard page below them: an overflow faults at once.
 * A guard splits the mapping in two VMAs, and Debian's default vm.max_map_count
 * (65530) would stop a process at ~32,000 guarded stacks, so past a limit
 * (WEFT_GUARDED_STACKS_MAX, default 8192) stacks are carved from arenas of
 * ARENA_STACKS stacks each without guards; those carry a canary just below
 * their lowest byte, checked every time their task switches out, so an
 * overflow is caught and reported with the task's name. The canary of arena
 * stack i sits in the last bytes of stack i-1's region, on the page that holds
 * stack i-1's top frames, so it costs no page of its own: an arena stack that
 * stays shallow costs one page.
 * Released stacks go back to the pool (LIFO, still warm) and are reused.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

#include "weft-fiber-private.h"

#define DEFAULT_MAX_GUARDED 8192
#define MAX_FREE_GUARDED    1024
#define ARENA_STACKS        64
#define CANARY              G_GUINT64_CONSTANT (0x5745465453544b21) /* "WEFTSTK!" */
#define CANARY_SIZE         16

struct _WeftStackPool
{
  WeftStack *free;         /* default-size stacks ready for reuse */
  guint      n_free_guarded;
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

/* The WeftStack header sits at the very top of the stack's own memory. */
static WeftStack *
stack_init (guint8   *base,
            guint8   *end,
            gboolean  guarded,
            gboolean  pooled)
{
  WeftStack *stack = (WeftStack *) (((guintptr) end - sizeof (WeftStack)) & ~(guintptr) 15);

  stack->next = NULL;
  stack->base = base;
  stack->size = (guint8 *) stack - base;
  stack->guarded = guarded;
  stack->pooled = pooled;
  if (!guarded)
    *(guint64 *) (base - CANARY_SIZE) = CANARY;
#ifdef HAVE_VALGRIND_H
  VALGRIND_STACK_REGISTER (base, base + stack->size);
#endif
  return stack;
}

static guint8 *
map_region (gsize size)
{
  void *mem = mmap (NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

  if (mem == MAP_FAILED)
    g_error ("Weft: cannot map %" G_GSIZE_FORMAT " bytes for task stacks: %s", size, g_strerror (errno));
  return mem;
}

static WeftStack *
stack_new_guarded (WeftStackPool *pool,
                   gsize          size,
                   gboolean       pooled)
{
  gsize page = page_size ();
  gsize total = round_to_pages (size) + page;
  guint8 *mem = map_region (total);

  if (mprotect (mem, page, PROT_NONE) != 0)
    g_error ("Weft: cannot protect a stack guard page: %s", g_strerror (errno));
  pool->n_guarded++;
  return stack_init (mem + page, mem + total, TRUE, pooled);
}

/* Arena layout: one leading page, then ARENA_STACKS regions of `size` bytes.
 * Stack i uses its region but the last CANARY_SIZE bytes, which hold the
 * canary of stack i+1 (the leading page holds stack 0's). */
static WeftStack *
stack_new_from_arena (WeftStackPool *pool)
{
  gsize size = round_to_pages (WEFT_DEFAULT_STACK_SIZE);
  gsize arena_size = size * ARENA_STACKS + page_size ();
  guint8 *arena, *region;

  if (pool->arenas->len == 0 || pool->arena_used == ARENA_STACKS)
    {
      arena = map_region (arena_size);
#ifdef MADV_NOHUGEPAGE
      /* Huge pages would make every touched stack cost 2 MiB. */
      madvise (arena, arena_size, MADV_NOHUGEPAGE);
#endif
      g_array_append_val (pool->arenas, arena);
      pool->arena_used = 0;
    }
  arena = g_array_index (pool->arenas, guint8 *, pool->arenas->len - 1);
  region = arena + page_size () + size * pool->arena_used++;
  return stack_init (region, region + size - CANARY_SIZE, FALSE, TRUE);
}

static void
stack_unmap (WeftStackPool *pool,
             WeftStack     *stack)
{
  gsize page = page_size ();
  guint8 *mem = stack->base - page;
  gsize total = round_to_pages ((guint8 *) stack + sizeof (WeftStack) - stack->base) + page;

  g_assert (stack->guarded);
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
  gsize arena_size = round_to_pages (WEFT_DEFAULT_STACK_SIZE) * ARENA_STACKS + page_size ();
  WeftStack *stack, *next;

  if (pool == NULL)
    return;
  for (stack = pool->free; stack != NULL; stack = next)
    {
      next = stack->next;
      if (stack->guarded)
        stack_unmap (pool, stack);
    }
  for (guint i = 0; i < pool->arenas->len; i++)
    munmap (g_array_index (pool->arenas, guint8 *, i), arena_size);
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

WeftStack *
_weft_stack_pool_acquire (WeftStackPool *pool,
                          gsize          size)
{
  WeftStack *stack;

  if (size == 0 || size == WEFT_DEFAULT_STACK_SIZE)
    {
      if (pool->free != NULL)
        {
          stack = pool->free;
          pool->free = stack->next;
          if (stack->guarded)
            pool->n_free_guarded--;
          stack->next = NULL;
          return stack;
        }
      if (pool->n_guarded >= pool->max_guarded)
        return stack_new_from_arena (pool);
      return stack_new_guarded (pool, WEFT_DEFAULT_STACK_SIZE, TRUE);
    }
  return stack_new_guarded (pool, MAX (size, WEFT_MIN_STACK_SIZE), FALSE);
}

void
_weft_stack_pool_release (WeftStackPool *pool,
                          WeftStack     *stack)
{
  if (stack->guarded && (!stack->pooled || pool->n_free_guarded >= MAX_FREE_GUARDED))
    {
      stack_unmap (pool, stack);
      return;
    }
  if (stack->guarded)
    pool->n_free_guarded++;
  stack->next = pool->free;
  pool->free = stack;
}

/* Guarded stacks need no canary: their guard page faults first. */
gboolean
_weft_stack_check_canary (WeftStack *stack)
{
  return stack->guarded || *(guint64 *) (stack->base - CANARY_SIZE) == CANARY;
}
