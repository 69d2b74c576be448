/* weft-sysprof-private.h: Sysprof marks, an observer of loops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the observer (weft-probe.c, at load time). */
void _weft_sysprof_register (void);

G_END_DECLS
