/* test-heartbeat.h: the longest gap between beats (timer ticks, frames),
 * for the tests that check something kept its pace
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

typedef struct
{
  gint64 last;    /* the previous beat, or 0 */
  gint64 worst;   /* the longest gap so far, in the clock's unit */
  guint  beats;
} TestHeartbeat;

static inline void
test_heartbeat_beat (TestHeartbeat *heart,
                     gint64         now)
{
  if (heart->last != 0)
    heart->worst = MAX (heart->worst, now - heart->last);
  heart->last = now;
  heart->beats++;
}
