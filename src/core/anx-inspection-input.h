/* anx-inspection-input.h: what an officer types into the inspection form,
 * checked field by field
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The measured error the form accepts, in basis points (0.01 %). */
#define ANX_INSPECTION_MAX_ERROR_BP 10000
/* The feed's limits (docs/feed-protocol.md, "Limits"). */
#define ANX_INSPECTION_MAX_SEALS       32
#define ANX_INSPECTION_MAX_SEAL_BYTES  64
#define ANX_INSPECTION_MAX_INSPECTOR   256
#define ANX_INSPECTION_MAX_NOTES       4096

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
char       *anx_inspection_parse_error  (const char  *text,
                                         gboolean    *measured,
                                         gint32      *error_bp);
char       *anx_inspection_parse_seals  (const char  *text,
                                         GStrv       *seals);
char       *anx_inspection_parse_time   (const char  *text,
                                         GTimeZone   *zone,
                                         GDateTime   *now,
                                         GDateTime  **time);
char       *anx_inspection_check_inspector (const char *text);
char       *anx_inspection_check_notes  (const char  *text);
char       *anx_inspection_display_time (const char *stored,
                                         GTimeZone  *zone);
char       *anx_inspection_seals_to_text (const char *stored);
char       *anx_inspection_format_time  (GDateTime   *time,
                                         GTimeZone   *zone);
/* clang-format on */

G_END_DECLS
