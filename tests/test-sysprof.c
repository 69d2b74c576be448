/* test-sysprof.c: Sysprof marks, the way sysprof-cli --use-trace-fd hands a
 * program its capture (SYSPROF_TRACE_FD), read back with sysprof-capture
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sysprof-capture.h>
#include <unistd.h>

#include "weft-test-common.h"

static void
spin_us (gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end)
    ;
}

static gpointer
busy_task (gpointer data, GError **error)
{
  for (int i = 0; i < 3; i++)
    {
      spin_us (200);
      if (!weft_sleep (0, error))
        return NULL;
    }
  return NULL;
}

static void
slow_callback (gpointer data)
{
  spin_us (5000);
}

/* The program Sysprof profiles: a task's steps and a slow callback. */
static int
profiled_child (void)
{
  WeftLoop *loop = test_loop_new ();
  g_autoptr(WeftTask) task = NULL;

  weft_loop_set_slow_callback_duration (loop, 0.002);
  task = weft_loop_create_task (loop, busy_task, NULL, NULL);
  weft_task_set_name (task, "busy_task");
  weft_loop_call_soon (loop, slow_callback, NULL, NULL);
  if (!weft_loop_run_until_complete (loop, WEFT_FUTURE (task), NULL))
    return 1;
  weft_loop_close (loop);
  weft_loop_unref (loop);
  return 0;
}

typedef struct
{
  guint iterations;
  guint steps;
  guint slow;
  char *step_message;
} Marks;

static void
read_marks (const char *path,
            Marks      *marks)
{
  SysprofCaptureReader *reader = sysprof_capture_reader_new (path);
  SysprofCaptureFrameType type;

  g_assert_nonnull (reader);
  while (sysprof_capture_reader_peek_type (reader, &type))
    {
      const SysprofCaptureMark *mark;

      if (type != SYSPROF_CAPTURE_FRAME_MARK)
        {
          g_assert_true (sysprof_capture_reader_skip (reader));
          continue;
        }
      mark = sysprof_capture_reader_read_mark (reader);
      g_assert_nonnull (mark);
      if (strcmp (mark->group, "Weft") != 0)
        continue;
      g_test_message ("mark %s: %s (%.3f ms)", mark->name, mark->message, mark->duration / 1e6);
      if (strcmp (mark->name, "iteration") == 0)
        marks->iterations++;
      else if (strcmp (mark->name, "task step") == 0)
        {
          marks->steps++;
          if (marks->step_message == NULL)
            marks->step_message = g_strdup (mark->message);
        }
      else if (strcmp (mark->name, "slow callback") == 0 && strstr (mark->message, "slow_callback") != NULL)
        marks->slow++;
    }
  sysprof_capture_reader_unref (reader);
}

static void
test_marks (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "weft-test-sysprof-XXXXXX", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  Marks marks = { 0 };
  int fd = g_mkstemp (path);

  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_fd (launcher, fd, 3);
  g_subprocess_launcher_setenv (launcher, "SYSPROF_TRACE_FD", "3", TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, g_test_get_filename (G_TEST_BUILT, "test-sysprof", NULL),
                                       "--profiled-child", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (child, NULL, &error));
  g_assert_no_error (error);

  read_marks (path, &marks);
  g_test_message ("%u iteration marks, %u task steps, %u slow callbacks", marks.iterations, marks.steps, marks.slow);
  /* 3 steps of 200 µs and a final one; iterations that long; the 5 ms callback. */
  g_assert_cmpuint (marks.steps, >=, 3);
  g_assert_cmpuint (marks.iterations, >=, 3);
  g_assert_cmpuint (marks.slow, ==, 1);
  g_assert_true (g_str_has_prefix (marks.step_message, "busy_task waits at "));
  g_assert_nonnull (strstr (marks.step_message, "test-sysprof.c:"));
  g_free (marks.step_message);
  g_unlink (path);
}

/* Not under Sysprof: no loop is observed, nothing is written. */
static void
test_off_by_default (void)
{
  WeftLoop *loop = test_loop_new ();

  g_assert_null (g_getenv ("SYSPROF_TRACE_FD"));
  g_assert_cmpuint (loop->observed, ==, 0);
  test_loop_finish (loop);
}

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--profiled-child") == 0)
    return profiled_child ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Weft/Sysprof/marks", test_marks);
  g_test_add_func ("/Weft/Sysprof/off-by-default", test_off_by_default);
  return g_test_run ();
}
