/* weft-error.h: the WEFT_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include "weft-version-macros.h"

G_BEGIN_DECLS

/**
 * WEFT_ERROR:
 *
 * The error domain of Weft: a #GQuark for errors in #WeftError.
 */
#define WEFT_ERROR (weft_error_quark ())

/**
 * WeftError:
 * @WEFT_ERROR_CANCELLED: the operation (a future or task) was cancelled
 * @WEFT_ERROR_TIMEOUT: a timeout expired (weft_wait_for(), timeout scopes)
 * @WEFT_ERROR_INVALID_STATE: the object is not in a state that allows the call
 *   (setting a result twice, reading a pending future, running a running loop)
 * @WEFT_ERROR_CLOSED: the loop is closed
 * @WEFT_ERROR_FAILED: a generic failure, e.g. a callback that reported an error
 *
 * Error codes in the %WEFT_ERROR domain.
 */
typedef enum
{
  WEFT_ERROR_CANCELLED,
  WEFT_ERROR_TIMEOUT,
  WEFT_ERROR_INVALID_STATE,
  WEFT_ERROR_CLOSED,
  WEFT_ERROR_FAILED,
} WeftError;

WEFT_AVAILABLE_IN_0_1
GQuark weft_error_quark (void);

G_END_DECLS
