/* weft-task-overflow.c: naming the task whose stack overflowed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What an overflow meets is described in weft-fiber.c; here the SIGSEGV
 * handler, on an alternate signal stack of each thread that runs tasks, tells
 * an overflow (by the stack pointer, or a fault in the guard) from any other
 * fault and names the task before the fault takes its course.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "weft-task-private.h"

/* ---------------------------------------------------- overflow reporting */

/* A guarded stack's overflow faults on its guard page. The SIGSEGV handler,
 * on an alternate stack of each thread that runs tasks, names the task and
 * then lets the fault take its normal course (the previous handler, or the
 * default action: the process dies, nothing runs on with a smashed stack). */
#if !defined(HAVE_SANITIZER_ASAN) && !defined(HAVE_SANITIZER_TSAN)
# define WEFT_OVERFLOW_HANDLER 1
#endif

#ifdef WEFT_OVERFLOW_HANDLER
#define ALT_STACK_SIZE (64 * 1024)

static struct sigaction previous_segv;

/* The thread's alternate signal stack, given back when the thread exits. */
static void
free_alt_stack (gpointer memory)
{
  stack_t disable = { .ss_flags = SS_DISABLE };

  sigaltstack (&disable, NULL);
  g_free (memory);
}

static GPrivate alt_stack_key = G_PRIVATE_INIT (free_alt_stack);
static _Thread_local gboolean alt_stack_checked __attribute__ ((tls_model ("initial-exec")));

static void
write_str (const char *s)
{
  if (write (STDERR_FILENO, s, strlen (s)) < 0)
    return;
}

/* Whether a fault at @addr, with the stack pointer at @sp (0: unknown), is
 * @task running past its stack: into its guard, or (an arena or unguarded
 * stack) below its base, where only its own gap and older stacks lie. */
static gboolean
fault_is_overflow (WeftTask *task,
                   guint8   *addr,
                   guintptr  sp)
{
  WeftStack *stack = task->stack;

  if (stack == NULL)
    return FALSE;
  if (sp != 0 && sp < (guintptr) stack->base && sp + WEFT_STACK_GUARD_SIZE * 64 > (guintptr) stack->base)
    return TRUE;
  if (stack->guarded)
    return addr < stack->base && addr >= stack->base - WEFT_STACK_GUARD_SIZE;
  return addr < stack->base && addr + WEFT_STACK_GUARD_SIZE * 64 > stack->base;
}

static guintptr
fault_sp (void *ucontext)
{
  ucontext_t *uc = ucontext;

#if defined(__x86_64__)
  return (guintptr) uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  return (guintptr) uc->uc_mcontext.sp;
#else
  return 0;
#endif
}

static void
on_segv (int        sig,
         siginfo_t *info,
         void      *ucontext)
{
  WeftTask *task = _weft_current_task;

  if (task != NULL && fault_is_overflow (task, info->si_addr, fault_sp (ucontext)))
    {
      write_str ("Weft: task ");
      write_str (task->name ? task->name : "(unnamed)");
      write_str (" overflowed its stack; use weft_task_set_stack_size() for deep call chains or large locals\n");
    }

  /* Hand the fault on: restore the previous disposition and return, so the
   * faulting instruction runs again under it. */
  if ((previous_segv.sa_flags & SA_SIGINFO) && previous_segv.sa_sigaction != NULL)
    previous_segv.sa_sigaction (sig, info, ucontext);
  else
    sigaction (SIGSEGV, &previous_segv, NULL);
}

void
_weft_task_ensure_overflow_handler (void)
{
  static gsize installed;
  stack_t alt = { 0 };

  if (g_once_init_enter (&installed))
    {
      struct sigaction action = { 0 };

      action.sa_sigaction = on_segv;
      action.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigemptyset (&action.sa_mask);
      sigaction (SIGSEGV, &action, &previous_segv);
      g_once_init_leave (&installed, 1);
    }
  /* A handler cannot run on the stack that overflowed: give this thread an
   * alternate one (kept for the thread's life), unless it has one already. */
  if (alt_stack_checked)
    return;
  alt_stack_checked = TRUE;
  if (sigaltstack (NULL, &alt) == 0 && (alt.ss_flags & SS_DISABLE))
    {
      alt.ss_sp = g_malloc (ALT_STACK_SIZE);
      alt.ss_size = ALT_STACK_SIZE;
      alt.ss_flags = 0;
      if (sigaltstack (&alt, NULL) == 0)
        g_private_set (&alt_stack_key, alt.ss_sp);
      else
        g_free (alt.ss_sp);
    }
}
#endif

#ifndef WEFT_OVERFLOW_HANDLER
void
_weft_task_ensure_overflow_handler (void)
{
  /* Sanitizers report overflows themselves. */
}
#endif
