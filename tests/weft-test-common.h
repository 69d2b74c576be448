/* weft-test-common.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <math.h>
#include <time.h>
#include <weft.h>

#include "weft-loop-private.h"

/* A loop on a context of its own, so tests cannot see each other's sources. */
static inline WeftLoop *
test_loop_new (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();

  return weft_loop_new_for_context (context);
}

/* libuv's MAKE_VALGRIND_HAPPY: every test ends by closing its loop cleanly, with
 * no callback slot left behind. */
static inline void
test_loop_finish (WeftLoop *loop)
{
  weft_loop_close (loop);
  g_assert_true (weft_loop_is_closed (loop));
  g_assert_cmpuint (loop->slots.n_live, ==, 0);
  weft_loop_unref (loop);
}

/* Records what reaches the exception handler. */
typedef struct
{
  GPtrArray *messages;  /* char*: "message|domain:code" */
  GPtrArray *tasks;     /* char*: task names, when given */
} TestExceptions;

static inline void
test_exception_handler (WeftLoop                   *loop,
                        const WeftExceptionContext *context,
                        gpointer                    user_data)
{
  TestExceptions *ex = user_data;

  g_ptr_array_add (ex->messages, g_strdup_printf ("%s|%s:%d", context->message ? context->message : "",
                                                  context->error ? g_quark_to_string (context->error->domain) : "",
                                                  context->error ? context->error->code : -1));
  if (context->task)
    g_ptr_array_add (ex->tasks, g_strdup (weft_task_get_name (context->task)));
}

static inline void
test_exceptions_init (TestExceptions *ex,
                      WeftLoop       *loop)
{
  ex->messages = g_ptr_array_new_with_free_func (g_free);
  ex->tasks = g_ptr_array_new_with_free_func (g_free);
  weft_loop_set_exception_handler (loop, test_exception_handler, ex, NULL);
}

static inline void
test_exceptions_clear (TestExceptions *ex)
{
  g_ptr_array_unref (ex->messages);
  g_ptr_array_unref (ex->tasks);
}

static inline gint64
test_monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the CPU busy for @ns (a step that does not yield). */
static inline void
test_spin_for (gint64 ns)
{
  gint64 end = test_monotonic_ns () + ns;

  while (test_monotonic_ns () < end)
    ;
}

/* CPU time of this thread: unlike the monotonic clock, it does not count the
 * time the machine gave to other processes, so gaps measured with it hold on
 * a loaded CI machine. */
static inline gint64
test_thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Counts the poll() calls of a context (one per sleep or wake-up check). */
static guint test_n_polls;
static GPollFunc test_real_poll;

static inline gint
test_counting_poll (GPollFD *fds,
                    guint    nfds,
                    gint     timeout)
{
  test_n_polls++;
  return test_real_poll (fds, nfds, timeout);
}

static inline void
test_count_polls (GMainContext *context)
{
  test_n_polls = 0;
  test_real_poll = g_main_context_get_poll_func (context);
  g_main_context_set_poll_func (context, test_counting_poll);
}

static inline void
test_stop_loop (gpointer loop)
{
  weft_loop_stop (loop);
}

/* Stops the loop once nothing is ready and no timer is due within a second,
 * however slowly the machine runs (valgrind). */
static inline void
stop_when_idle (gpointer data)
{
  WeftLoop *loop = data;

  if (loop->ready.length > 0)
    weft_loop_call_soon (loop, stop_when_idle, loop, NULL);
  else if (_weft_loop_next_deadline (loop) < _weft_loop_now (loop) + 1000000000)
    weft_loop_call_later (loop, 0.001, stop_when_idle, loop, NULL);
  else
    weft_loop_stop (loop);
}

static inline void
test_run_until_idle (WeftLoop *loop)
{
  weft_loop_call_soon (loop, stop_when_idle, loop, NULL);
  g_assert_true (weft_loop_run_forever (loop, NULL));
}

/* Runs @loop until @future is done and asserts it succeeded. */
static inline gpointer
test_run (WeftLoop   *loop,
          WeftFuture *future)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (weft_loop_run_until_complete (loop, future, &error));
  g_assert_no_error (error);
  return weft_future_get_result (future, NULL);
}
