/* demo-countdown.c: the tutorial's countdown, exactly as in DESIGN.md
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weft-demos.h"

static gpointer
countdown (gpointer data, GError **error)
{
  for (int number = GPOINTER_TO_INT (data); number > 0; number--)
    {
      g_print ("Countdown: %d\n", number);
      if (!weft_sleep (1.0, error))        /* suspends this task only */
        return NULL;                        /* cancelled: error is set */
    }
  g_print ("Countdown finished!\n");
  return NULL;
}

WeftFuture *
weft_demo_countdown_start (WeftLoop *loop)
{
  return WEFT_FUTURE (weft_loop_create_task (loop, countdown, GINT_TO_POINTER (3), NULL));
}

int
weft_demo_countdown (void)
{
  g_autoptr (WeftLoop) loop = weft_loop_new ();   /* asyncio.new_event_loop() */
  weft_set_event_loop (loop);                     /* asyncio.set_event_loop() */
  g_autoptr (WeftTask) task = weft_loop_create_task (loop, countdown, GINT_TO_POINTER (3), NULL);
  weft_loop_run_until_complete (loop, WEFT_FUTURE (task), NULL);
  weft_loop_close (loop);
  return 0;
}
