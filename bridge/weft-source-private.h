/* weft-source-private.h: the one GSource binding a WeftLoop to its context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The core's backend (src/weft-backend-private.h): loop->backend is this.
 */
#pragma once

#include "weft-loop-private.h"

G_BEGIN_DECLS

typedef struct
{
  GSource     source;
  WeftLoop   *loop;        /* not a reference: the loop owns the source */
  int         timerfd;
  gpointer    timerfd_tag;
  gint64      armed;       /* deadline the timerfd is armed to, or WEFT_TIME_NEVER */
  guint       fork_gen;    /* fork_generation when the timerfd was made */
  GHashTable *fd_watches;  /* int fd -> WeftFdWatch, weft-fd.c */
  guint       yield : 1;   /* the last dispatch ran out of budget: let others run once */
  guint       yielding : 1;/* this GLib iteration belongs to the others */
} WeftSource;

/* The loop's source, or NULL once the loop is closed. */
static inline WeftSource *
_weft_source_get (WeftLoop *loop)
{
  return loop->backend;
}

G_END_DECLS
