/* weft-demos.h: the tutorial's examples, shared by weft-demo and the inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <weft.h>

G_BEGIN_DECLS

typedef struct
{
  const char  *name;
  const char  *summary;
  const char  *source;                     /* file name, for the inspector's source view */
  int        (*run)   (void);              /* the tutorial's program, in a terminal */
  WeftFuture *(*start) (WeftLoop *loop);   /* the same work on a running loop (inspector) */
} WeftDemo;

int         weft_demo_greet           (void);
int         weft_demo_callbacks       (void);
int         weft_demo_countdown       (void);
int         weft_demo_countdowns      (void);
WeftFuture *weft_demo_greet_start     (WeftLoop *loop);
WeftFuture *weft_demo_callbacks_start (WeftLoop *loop);
WeftFuture *weft_demo_countdown_start (WeftLoop *loop);
WeftFuture *weft_demo_countdowns_start (WeftLoop *loop);
const WeftDemo *weft_demo_lookup      (const char *name);

extern const WeftDemo weft_demos[];

G_END_DECLS
