/* weft-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-error.h"

G_DEFINE_QUARK (weft-error-quark, weft_error)
