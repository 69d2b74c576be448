/* test-tasks.c: tasks as sequential C whose locals survive awaits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fenv.h>

#ifdef HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

#include "weft-test-common.h"
#include "weft-task-private.h"

static gpointer
sum_with_sleeps (gpointer data, GError **error)
{
  int n = GPOINTER_TO_INT (data);
  volatile double acc = 0.5;   /* FPU state and locals must survive */
  char text[64];
  int total = 0;

  for (int i = 1; i <= n; i++)
    {
      total += i;
      acc *= 2;
      if (!weft_sleep (i % 2 ? 0 : 0.001, error))
        return NULL;
    }
  g_snprintf (text, sizeof text, "%d/%g", total, acc);
  return g_strdup (text);
}

static void
test_locals_survive (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftTask *a = weft_loop_create_task (loop, sum_with_sleeps, GINT_TO_POINTER (10), NULL);
  WeftTask *b = weft_loop_create_task (loop, sum_with_sleeps, GINT_TO_POINTER (4), NULL);

  weft_task_set_result_destroy (a, g_free);
  weft_task_set_result_destroy (b, g_free);
  g_assert_cmpstr (weft_task_get_name (a), ==, "sum_with_sleeps");
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (a)), ==, "55/512");
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (b)), ==, "10/8");
  weft_task_unref (a);
  weft_task_unref (b);
  test_loop_finish (loop);
}

/* Each task keeps its own floating-point rounding mode (the x87 control
 * word and MXCSR are callee-saved: the switch keeps them per fiber). */
static float rounded[2];

static gpointer
rounds (gpointer data, GError **error)
{
  int mode = GPOINTER_TO_INT (data);
  volatile double third = 1.0 / 3.0;

  g_assert_cmpint (fegetround (), ==, FE_TONEAREST);   /* a new task: the default */
  fesetround (mode);
  for (int i = 0; i < 3; i++)
    {
      if (!weft_sleep (0, error))
        return NULL;
      g_assert_cmpint (fegetround (), ==, mode);
    }
  /* Not only the reading: the arithmetic rounds that way too. */
  rounded[mode == FE_UPWARD] = (float) third;
  return data;
}

static void
test_rounding_mode_per_task (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftTask *down = weft_loop_create_task (loop, rounds, GINT_TO_POINTER (FE_DOWNWARD), NULL);
  WeftTask *up = weft_loop_create_task (loop, rounds, GINT_TO_POINTER (FE_UPWARD), NULL);

  test_run (loop, WEFT_FUTURE (down));
  test_run (loop, WEFT_FUTURE (up));
  g_assert_cmpint (fegetround (), ==, FE_TONEAREST);   /* the loop's thread kept its own */
  g_assert_cmpfloat (rounded[0], <, rounded[1]);
  weft_task_unref (down);
  weft_task_unref (up);
  test_loop_finish (loop);
}

static guint64 iterations_seen[3];

static gpointer
yielder (gpointer data, GError **error)
{
  WeftLoop *loop = weft_get_running_loop ();

  for (int i = 0; i < 3; i++)
    {
      iterations_seen[i] = loop->iteration;
      weft_sleep (0, error);
    }
  return NULL;
}

/* sleep(0) yields for exactly one iteration. */
static void
test_sleep_zero (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, yielder, NULL, NULL);

  test_run (loop, WEFT_FUTURE (task));
  g_assert_cmpuint (iterations_seen[1], ==, iterations_seen[0] + 1);
  g_assert_cmpuint (iterations_seen[2], ==, iterations_seen[1] + 1);
  test_loop_finish (loop);
}

static gpointer
child (gpointer data, GError **error)
{
  g_assert_true (weft_current_task () != NULL);
  if (!weft_sleep (0.001, error))
    return NULL;
  return data;
}

static gpointer
parent (gpointer data, GError **error)
{
  WeftLoop *loop = weft_get_running_loop ();
  g_autoptr(WeftTask) c = weft_loop_create_task (loop, child, (gpointer) "from child", NULL);
  g_autoptr(GPtrArray) all = weft_all_tasks (loop);
  const char *got;

  g_assert_cmpuint (all->len, ==, 2);
  g_assert_true (((WeftTask *) c)->parent_task == weft_current_task ());
  got = weft_await (WEFT_FUTURE (c), error);
  g_assert_cmpstr (got, ==, "from child");
  return (gpointer) got;
}

static void
test_await_task (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, parent, NULL, NULL);
  g_autoptr(GPtrArray) left = NULL;

  g_assert_null (weft_current_task ());
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "from child");
  left = weft_all_tasks (loop);
  g_assert_cmpuint (left->len, ==, 0);
  test_loop_finish (loop);
}

/* The macro names a task after its function without copying the name (one
 * literal for every task from a call site); weft_task_set_name() and the
 * function form copy theirs, and a rename leaves the old name readable. */
static void
test_task_names (void)
{
  WeftLoop *loop = test_loop_new ();
  WeftTask *tasks[2];
  g_autoptr(WeftTask) named = NULL, numbered = NULL;
  char name[] = "mutable";

  for (int i = 0; i < 2; i++)
    tasks[i] = weft_loop_create_task (loop, child, NULL, NULL);
  g_assert_cmpstr (weft_task_get_name (tasks[0]), ==, "child");
  g_assert_true (weft_task_get_name (tasks[0]) == weft_task_get_name (tasks[1]));

  named = weft_loop_create_task_full (loop, child, NULL, NULL, name, NULL);
  name[0] = 'M';
  g_assert_cmpstr (weft_task_get_name (named), ==, "mutable");
  numbered = (weft_loop_create_task) (loop, child, NULL, NULL);
  g_assert_true (g_str_has_prefix (weft_task_get_name (numbered), "Task-"));

  weft_task_set_name (tasks[0], name);
  name[0] = 'x';
  g_assert_cmpstr (weft_task_get_name (tasks[0]), ==, "Mutable");
  g_assert_cmpstr (weft_task_get_name (tasks[1]), ==, "child");
  weft_task_set_name (tasks[0], "again");
  g_assert_cmpstr (weft_task_get_name (tasks[0]), ==, "again");

  test_run_until_idle (loop);
  for (int i = 0; i < 2; i++)
    weft_task_unref (tasks[i]);
  test_loop_finish (loop);
}

static int fire_and_forget_done;

static gpointer
fire_and_forget (gpointer data, GError **error)
{
  weft_sleep (0.002, error);
  fire_and_forget_done++;
  return NULL;
}

/* The loop keeps a running task alive: nobody needs to hold it. */
static void
test_loop_keeps_task (void)
{
  WeftLoop *loop = test_loop_new ();

  weft_task_unref (weft_loop_create_task (loop, fire_and_forget, NULL, NULL));
  test_run_until_idle (loop);
  g_assert_cmpint (fire_and_forget_done, ==, 1);
  test_loop_finish (loop);
}

static gpointer
await_self (gpointer data, GError **error)
{
  g_autoptr(GError) local = NULL;

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*awaits itself*");
  g_assert_null (weft_await (WEFT_FUTURE (weft_current_task ()), &local));
  g_test_assert_expected_messages ();
  g_assert_error (local, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);
  return (gpointer) "survived";
}

static void
test_await_errors (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftFuture) future = weft_loop_create_future (loop);
  g_autoptr(WeftTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*weft_await() called outside a task*");
  g_assert_null (weft_await (future, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_STATE);

  task = weft_loop_create_task (loop, await_self, NULL, NULL);
  g_assert_cmpstr (test_run (loop, WEFT_FUTURE (task)), ==, "survived");
  weft_future_cancel (future, NULL);
  test_loop_finish (loop);
}

static gpointer
failing (gpointer data, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "denied");
  return NULL;
}

static gpointer
waits_forever (gpointer data, GError **error)
{
  g_autoptr(WeftFuture) never = weft_loop_create_future (weft_get_running_loop ());
  G_GNUC_UNUSED g_autofree char *owned = g_strdup ("freed by unwinding");

  weft_await (never, error);
  g_assert_error (*error, WEFT_ERROR, WEFT_ERROR_CLOSED);
  *(int *) data = 1;
  return NULL;
}

/* "Task was destroyed but it is pending" and "Task error was never retrieved",
 * with the task's name. */
static void
test_diagnostics (void)
{
  WeftLoop *loop = test_loop_new ();
  TestExceptions ex;
  int unwound = 0;
  WeftTask *pending, *never_started;

  test_exceptions_init (&ex, loop);
  weft_task_unref (weft_loop_create_task (loop, failing, NULL, NULL));
  pending = weft_loop_create_task (loop, waits_forever, &unwound, NULL);
  test_run_until_idle (loop);
  g_assert_cmpuint (ex.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ex.messages, 0), ==, "Task error was never retrieved|g-io-error-quark:14");
  g_assert_cmpstr (g_ptr_array_index (ex.tasks, 0), ==, "failing");

  never_started = weft_loop_create_task (loop, failing, NULL, NULL);
  weft_task_set_name (never_started, "never-started");
  weft_loop_close (loop);
  g_assert_cmpuint (ex.messages->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ex.messages, 1), ==, "Task was destroyed but it is pending|:-1");
  g_assert_cmpstr (g_ptr_array_index (ex.tasks, 1), ==, "waits_forever");
  g_assert_cmpstr (g_ptr_array_index (ex.tasks, 2), ==, "never-started");
  /* The pending task was unwound: its cleanup ran. */
  g_assert_cmpint (unwound, ==, 1);
  g_assert_true (weft_future_is_done (WEFT_FUTURE (pending)));
  weft_task_unref (pending);
  weft_task_unref (never_started);
  test_exceptions_clear (&ex);
  test_loop_finish (loop);
}

/* The sum of depth .. 0, each frame keeping its own value on the stack. */
static int
recurse (int depth)
{
  volatile char frame[1024];

  frame[0] = (char) (depth & 0x7f);
  return depth == 0 ? 0 : recurse (depth - 1) + frame[0];
}

static gpointer
deep (gpointer data, GError **error)
{
  /* 100 KiB of stack, as deep GTK/Pango call chains can use: every frame's
   * value must have survived its callees. */
  return GINT_TO_POINTER (recurse (100) == 100 * 101 / 2);
}

static void
test_deep_stack (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = weft_loop_create_task (loop, deep, NULL, NULL);

  g_assert_true (test_run (loop, WEFT_FUTURE (task)) != NULL);
  test_loop_finish (loop);
}

static gpointer
count_down_shared (gpointer data, GError **error)
{
  int *left = data;

  weft_sleep (0, error);
  weft_sleep (0, error);
  (*left)--;
  return NULL;
}

/* Past the guarded-stack limit, stacks come from arenas (no mapping each). */
static void
test_many_tasks_arena (void)
{
  WeftLoop *loop = test_loop_new ();
  int left = 3000;

  loop->stack_pool = _weft_stack_pool_new ();
  _weft_stack_pool_set_guard_limit (loop->stack_pool, 100);
  for (int i = 0; i < 3000; i++)
    weft_task_unref (weft_loop_create_task (loop, count_down_shared, &left, NULL));
  test_run_until_idle (loop);
  g_assert_cmpint (left, ==, 0);
  g_assert_cmpuint (_weft_stack_pool_n_guarded (loop->stack_pool), ==, 100);
  test_loop_finish (loop);
}

/* Like recurse(), but every frame is written in full, as real code does. */
static int
recurse_fill (int depth)
{
  volatile char frame[1024];

  for (guint i = 0; i < sizeof frame; i++)
    frame[i] = (char) depth;
  return depth == 0 ? frame[7] : recurse_fill (depth - 1) + frame[7];
}

static gpointer
overflow (gpointer data, GError **error)
{
  /* 400 KiB of frames: past the end of a 256 KiB stack. */
  return GINT_TO_POINTER (recurse_fill (400));
}

static gpointer
shallow (gpointer data, GError **error)
{
  weft_sleep (10, error);
  return NULL;
}

/* A guarded stack's overflow hits the guard page: the process dies at once
 * (in a subprocess here), it does not run on with corrupted memory. */
static void
test_overflow_guarded (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = test_loop_new ();
      g_autoptr(WeftTask) task = weft_loop_create_task (loop, overflow, NULL, NULL);

      weft_task_set_name (task, "guard-hitter");
      test_run (loop, WEFT_FUTURE (task));
      g_print ("survived\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
#if !defined(HAVE_SANITIZER_ASAN) && !defined(HAVE_SANITIZER_TSAN)
  /* (Sanitizers report the overflow themselves, first.) */
  g_test_trap_assert_stderr ("*task guard-hitter overflowed its stack*");
#endif
}

/* An arena stack (no guard page) has its canary checked when its task
 * switches out: the overflow is reported with the task's name. */
static void
test_overflow_arena (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = test_loop_new ();
      g_autoptr(WeftTask) first = NULL;
      g_autoptr(WeftTask) task = NULL;

      loop->stack_pool = _weft_stack_pool_new ();
      _weft_stack_pool_set_guard_limit (loop->stack_pool, 0);
      /* The first arena stack stays suspended, so the overflowing one is
       * carved right above it. */
      first = weft_loop_create_task (loop, shallow, NULL, NULL);
      weft_loop_step_callback (loop);
      task = weft_loop_create_task (loop, overflow, NULL, NULL);
      weft_task_set_name (task, "deep-diver");
      test_run (loop, WEFT_FUTURE (task));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
#if !defined(HAVE_SANITIZER_ASAN) && !defined(HAVE_SANITIZER_TSAN)
  /* (Sanitizers report the overflow themselves, first.) */
  g_test_trap_assert_stderr ("*task deep-diver overflowed its*stack*");
#endif
}


/* One frame of 300 KiB whose only write is at its low end: without probing
 * (Debian's gcc), it jumps over a one-page guard into whatever lies below. */
static void __attribute__ ((noinline))
big_frame (void)
{
  volatile char frame[300 * 1024];

  frame[0] = 1;
  (void) frame[0];
}

static gpointer
big_frame_task (gpointer data, GError **error)
{
  /* Let the victim take its stack first: the next mapping, right below. */
  if (!weft_sleep (0, error))
    return NULL;
  big_frame ();
  return NULL;
}

#define VICTIM_BYTES (8 * 1024)

/* Fills a local buffer, waits, and checks nobody wrote into it. */
static gpointer
victim (gpointer data, GError **error)
{
  volatile guint8 locals[VICTIM_BYTES];
  gboolean *intact = data;

  for (guint i = 0; i < VICTIM_BYTES; i++)
    locals[i] = (guint8) (i * 7 + 3);
  if (!weft_sleep (0.05, error))
    return NULL;
  *intact = TRUE;
  for (guint i = 0; i < VICTIM_BYTES; i++)
    if (locals[i] != (guint8) (i * 7 + 3))
      *intact = FALSE;
  return NULL;
}

/* A frame larger than a page lands in the guard region, not in the stack of
 * the task below: the process dies naming the task. */
static void
test_overflow_large_frame (void)
{
  if (RUNNING_ON_VALGRIND)
    {
      /* valgrind's synthetic CPU lets the store into the PROT_NONE guard through. */
      g_test_skip ("the guard's fault does not happen under valgrind");
      return;
    }
  if (g_test_subprocess ())
    {
      WeftLoop *loop = test_loop_new ();
      gboolean intact = FALSE;
      g_autoptr(WeftTask) task = weft_loop_create_task (loop, big_frame_task, NULL, NULL);
      g_autoptr(WeftTask) other = weft_loop_create_task (loop, victim, &intact, NULL);

      weft_task_set_name (task, "big-frame");
      test_run (loop, WEFT_FUTURE (other));
      g_print ("survived, victim %s\n", intact ? "intact" : "corrupted");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
#if !defined(HAVE_SANITIZER_ASAN) && !defined(HAVE_SANITIZER_TSAN)
  g_test_trap_assert_stderr ("*task big-frame overflowed its stack*");
#endif
}

/* 6 KiB past an arena stack, one write: before the gap, that write landed in
 * the top frames of the stack below. */
static void __attribute__ ((noinline))
six_kib_frame (void)
{
  volatile char frame[6 * 1024];

  frame[0] = 1;
  (void) frame[0];
}

/* Recurses to the bottom of its stack, then calls six_kib_frame(). */
static int __attribute__ ((noinline))
dive_then_jump (volatile guint8 *top, gsize depth)
{
  volatile char here;

  if ((gsize) (top - (volatile guint8 *) &here) < depth)
    return dive_then_jump (top, depth) + 1;
  six_kib_frame ();
  return 0;
}

static gpointer
gap_jumper (gpointer data, GError **error)
{
  volatile guint8 top;
  WeftTask *self = weft_current_task ();

  if (!weft_sleep (0, error))
    return NULL;
  /* Stop 1 KiB above the stack's base, then jump 6 KiB. */
  return GINT_TO_POINTER (dive_then_jump (&top, (gsize) (&top - self->stack->base) - 1024));
}

static WeftLoop *
arena_loop_new (void)
{
  WeftLoop *loop = test_loop_new ();

  loop->stack_pool = _weft_stack_pool_new ();
  _weft_stack_pool_set_guard_limit (loop->stack_pool, 0);
  return loop;
}

/* In an arena, a frame that jumps over the canary lands in the gap below
 * the stack: the task below keeps its locals. */
static void
test_overflow_arena_gap (void)
{
  WeftLoop *loop = arena_loop_new ();
  gboolean intact = FALSE;
  g_autoptr(WeftTask) below = weft_loop_create_task (loop, victim, &intact, NULL);
  g_autoptr(WeftTask) jumper = weft_loop_create_task (loop, gap_jumper, NULL, NULL);

  /* The victim's stack is carved first, the jumper's right above it. */
  g_assert_true (below->stack == NULL);
  test_run (loop, WEFT_FUTURE (jumper));
  test_run (loop, WEFT_FUTURE (below));
  g_assert_true (intact);
  test_loop_finish (loop);
}

/* With WEFT_DEBUG, the write into the gap is found at the switch out. */
static void
test_overflow_arena_gap_debug (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = arena_loop_new ();
      g_autoptr(WeftTask) jumper = weft_loop_create_task (loop, gap_jumper, NULL, NULL);

      weft_loop_set_debug (loop, TRUE);
      weft_task_set_name (jumper, "gap-jumper");
      test_run (loop, WEFT_FUTURE (jumper));
      g_print ("survived\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");
  g_test_trap_assert_stderr ("*task gap-jumper overflowed its*stack*");
}

static volatile int forever = 1;

static int
recurse_forever (int depth)
{
  volatile char frame[512];

  frame[0] = (char) depth;
  return forever ? recurse_forever (depth + 1) + frame[0] : 0;
}

static gpointer
runaway (gpointer data, GError **error)
{
  return GINT_TO_POINTER (recurse_forever (0));
}

/* Unbounded recursion on an arena stack faults at the arena's guard page and
 * the handler names the task (it used to die with a bare SIGSEGV). */
static void
test_overflow_arena_unbounded (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = arena_loop_new ();
      g_autoptr(WeftTask) task = weft_loop_create_task (loop, runaway, NULL, NULL);

      weft_task_set_name (task, "runaway");
      test_run (loop, WEFT_FUTURE (task));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
#if !defined(HAVE_SANITIZER_ASAN) && !defined(HAVE_SANITIZER_TSAN)
  g_test_trap_assert_stderr ("*task runaway overflowed its stack*");
#endif
}

static gpointer
custom_stack_task (gpointer data, GError **error)
{
  int *left = data;
  volatile char deep[100 * 1024];

  deep[0] = 1;
  if (!weft_sleep (0, error))
    return NULL;
  (*left)--;
  return GINT_TO_POINTER (deep[0]);
}

/* weft_task_set_stack_size(): the stack is that big (100 KiB of locals run on
 * a 128 KiB stack), and past the guard limit such stacks are still given out,
 * unguarded with a canary, instead of aborting at the kernel's map limit.
 * (Each task's struct lives on a default stack from the pool, its home,
 * taken when it is created: 300 of them, guarded, before the custom ones.) */
static void
test_custom_stack_size (void)
{
  WeftLoop *loop = test_loop_new ();
  int left = 300;

  loop->stack_pool = _weft_stack_pool_new ();
  _weft_stack_pool_set_guard_limit (loop->stack_pool, 400);
  for (int i = 0; i < 300; i++)
    {
      g_autoptr(WeftTask) task = weft_loop_create_task (loop, custom_stack_task, &left, NULL);

      g_assert_true (weft_task_set_stack_size (task, 128 * 1024));
    }
  g_assert_cmpuint (_weft_stack_pool_n_guarded (loop->stack_pool), ==, 300);
  weft_loop_step_callback (loop);
  for (int i = 0; i < 299; i++)
    weft_loop_step_callback (loop);
  /* All 300 started and hold their custom stacks: 100 guarded, 200 not. */
  g_assert_cmpuint (_weft_stack_pool_n_guarded (loop->stack_pool), ==, 400);
  test_run_until_idle (loop);
  g_assert_cmpint (left, ==, 0);
  /* The custom stacks are unmapped; the homes went back to the pool. */
  g_assert_cmpuint (_weft_stack_pool_n_guarded (loop->stack_pool), ==, 300);
  test_loop_finish (loop);
}

/* Out of address space, a task fails with an error: nothing aborts. */
static void
test_stack_map_failure (void)
{
  if (g_test_subprocess ())
    {
      WeftLoop *loop = test_loop_new ();
      g_autoptr(WeftTask) task = NULL;
      g_autoptr(GError) error = NULL;
      int left = 1;

      task = weft_loop_create_task (loop, custom_stack_task, &left, NULL);
      /* More than any address space: the mapping fails (a resource limit
       * would do too, but sanitizers need their own huge mappings). */
      weft_task_set_stack_size (task, (gsize) 1 << 62);
      g_assert_false (weft_loop_run_until_complete (loop, WEFT_FUTURE (task), &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM);
      g_assert_cmpint (left, ==, 1);
      g_print ("failed cleanly: %s\n", error->message);
      test_loop_finish (loop);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*failed cleanly: Cannot map*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Weft/Task/locals-survive", test_locals_survive);
  g_test_add_func ("/Weft/Task/rounding-mode-per-task", test_rounding_mode_per_task);
  g_test_add_func ("/Weft/Task/sleep-zero", test_sleep_zero);
  g_test_add_func ("/Weft/Task/await-task", test_await_task);
  g_test_add_func ("/Weft/Task/names", test_task_names);
  g_test_add_func ("/Weft/Task/loop-keeps-task", test_loop_keeps_task);
  g_test_add_func ("/Weft/Task/await-errors", test_await_errors);
  g_test_add_func ("/Weft/Task/diagnostics", test_diagnostics);
  g_test_add_func ("/Weft/Task/deep-stack", test_deep_stack);
  g_test_add_func ("/Weft/Task/many-tasks-arena", test_many_tasks_arena);
  g_test_add_func ("/Weft/Task/overflow-guarded", test_overflow_guarded);
  g_test_add_func ("/Weft/Task/overflow-arena", test_overflow_arena);
  g_test_add_func ("/Weft/Task/overflow-large-frame", test_overflow_large_frame);
  g_test_add_func ("/Weft/Task/overflow-arena-gap", test_overflow_arena_gap);
  g_test_add_func ("/Weft/Task/overflow-arena-gap-debug", test_overflow_arena_gap_debug);
  g_test_add_func ("/Weft/Task/overflow-arena-unbounded", test_overflow_arena_unbounded);
  g_test_add_func ("/Weft/Task/custom-stack-size", test_custom_stack_size);
  g_test_add_func ("/Weft/Task/stack-map-failure", test_stack_map_failure);

  return g_test_run ();
}
