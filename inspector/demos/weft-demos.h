/* weft-demos.h: the tutorial's examples, shared by weft-demo and the inspector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <weft.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (void);
} WeftDemo;

int weft_demo_greet     (void);
int weft_demo_callbacks (void);
int weft_demo_countdown (void);

extern const WeftDemo weft_demos[];

G_END_DECLS
