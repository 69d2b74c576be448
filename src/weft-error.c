/* weft-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "weft-error.h"

/**
 * weft_error_quark:
 *
 * The error domain of Weft's errors, #WEFT_ERROR.
 *
 * Returns: the #GQuark of the %WEFT_ERROR domain
 */
G_DEFINE_QUARK (weft-error-quark, weft_error)
