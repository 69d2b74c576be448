/* weft-fiber-private.h: stackful coroutines (fibers) and their stacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fiber context is the stack pointer saved by _weft_fiber_switch(): the
 * callee-saved registers and the FPU/SSE control words sit on the stack below
 * it. On other architectures a ucontext_t (without the signal-mask syscall
 * being avoidable) takes its place.
 */
#pragma once

#include <glib.h>

#if defined(__x86_64__) || defined(__aarch64__)
# define WEFT_FIBER_ASM 1
#else
# include <ucontext.h>
#endif

G_BEGIN_DECLS

typedef struct
{
#ifdef WEFT_FIBER_ASM
  void       *sp;
#else
  ucontext_t  uc;
#endif
} WeftFiberContext;

typedef void (*WeftFiberEntry) (void *arg);

typedef struct _WeftStack WeftStack;
struct _WeftStack
{
  guint8    *base;     /* lowest usable address */
  gsize      size;     /* usable bytes, from base up */
  gsize      gap;      /* unguarded: unused bytes between base and the canary */
  /* Whole bytes: a bit-field store reads its word first, and a read of a
   * fresh page maps the zero page, so the write after it faults again. */
  guint8     guarded;  /* a PROT_NONE guard region lies below base */
  guint8     mapped;   /* a mapping of its own (else carved from an arena) */
  guint8     pooled;   /* default size: goes back to the pool */
};

typedef struct _WeftStackPool WeftStackPool;

void        _weft_fiber_context_init (WeftFiberContext *context,
                                      WeftStack        *stack,
                                      WeftFiberEntry    entry,
                                      void             *arg);
void        _weft_fiber_swap         (WeftFiberContext *save,
                                      WeftFiberContext *to);

WeftStackPool *_weft_stack_pool_new      (void);
void        _weft_stack_pool_free        (WeftStackPool *pool);
WeftStack  *_weft_stack_pool_acquire     (WeftStackPool *pool,
                                          gsize          size,
                                          GError       **error);
void        _weft_stack_pool_release     (WeftStackPool *pool,
                                          WeftStack     *stack);
void        _weft_stack_pool_set_guard_limit (WeftStackPool *pool,
                                          guint          max_guarded);
guint       _weft_stack_pool_n_guarded   (WeftStackPool *pool);
gboolean    _weft_stack_check_canary     (WeftStack     *stack,
                                          gboolean       thorough);
void        _weft_stack_pool_prefetch    (WeftStackPool *pool,
                                          guint          nth);

#define WEFT_DEFAULT_STACK_SIZE (256 * 1024)
#define WEFT_MIN_STACK_SIZE     (128 * 1024)
/* What lies below a stack: see weft-fiber.c. */
#if GLIB_SIZEOF_VOID_P == 8
# define WEFT_STACK_GUARD_SIZE  (256 * 1024)
#else
# define WEFT_STACK_GUARD_SIZE  (64 * 1024)
#endif
#define WEFT_ARENA_GAP          (64 * 1024)
#define WEFT_STACK_CANARY_SIZE  16
/* A pooled (default-size) stack's home: room above its frames, in the page
 * they start on, for its owner's bookkeeping (weft-task.c puts the task's
 * struct and its recording statistics there, so a small task touches one
 * page). */
#define WEFT_STACK_HOME_SIZE    576

/* The home of a pooled stack: below its header, a cache line aligned (where
 * stack_init() ends the frames), found without reading the stack. */
static inline void *
_weft_stack_home (const WeftStack *stack)
{
  return (void *) (((guintptr) stack - WEFT_STACK_HOME_SIZE) & ~(guintptr) 63);
}

/* Where an unguarded stack's canary is (weft-fiber.c). */
static inline guint64 *
_weft_stack_canary_address (const WeftStack *stack)
{
  return (guint64 *) (void *) (stack->base - stack->gap - WEFT_STACK_CANARY_SIZE);
}

/* Whether a stack of @size (0: the default) is a pooled, default-size one. */
static inline gboolean
_weft_stack_size_is_default (gsize size)
{
  return size == 0 || size == WEFT_DEFAULT_STACK_SIZE;
}

G_END_DECLS
