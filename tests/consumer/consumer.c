/* consumer.c: a program outside the tree, built against an installed weft-1
 * (pkg-config) and against weft as a Meson subproject: the tutorial's countdown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <weft.h>

static gpointer
countdown (gpointer data, GError **error)
{
  for (int number = GPOINTER_TO_INT (data); number > 0; number--)
    {
      g_print ("Countdown: %d\n", number);
      if (!weft_sleep (0.01, error))
        return NULL;
    }
  g_print ("Countdown finished!\n");
  return NULL;
}

int
main (void)
{
  g_autoptr (WeftLoop) loop = weft_loop_new ();
  weft_set_event_loop (loop);
  g_autoptr (WeftTask) task = weft_loop_create_task (loop, countdown, GINT_TO_POINTER (3), NULL);
  gboolean ok = weft_loop_run_until_complete (loop, WEFT_FUTURE (task), NULL);
  weft_loop_close (loop);
  return ok ? 0 : 1;
}
