/* weft-version-macros.h: symbol export and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
# error "Only <weft.h> can be included directly."
#endif

#include <glib.h>

/**
 * WEFT_MAJOR_VERSION:
 *
 * The major version of the libweft headers being compiled against.
 */
#define WEFT_MAJOR_VERSION 0

/**
 * WEFT_MINOR_VERSION:
 *
 * The minor version of the libweft headers being compiled against.
 */
#define WEFT_MINOR_VERSION 1

#if defined(_WIN32)
# define _WEFT_EXTERN __declspec(dllexport) extern
#else
# define _WEFT_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * WEFT_AVAILABLE_IN_ALL:
 *
 * Marks a symbol that is exported in every version of libweft.
 */
#define WEFT_AVAILABLE_IN_ALL _WEFT_EXTERN

/**
 * WEFT_AVAILABLE_IN_0_1:
 *
 * Marks a symbol that was added in libweft 0.1.
 */
#define WEFT_AVAILABLE_IN_0_1 _WEFT_EXTERN
