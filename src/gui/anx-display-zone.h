/* anx-display-zone.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ANX_TYPE_DISPLAY_ZONE (anx_display_zone_get_type ())

G_DECLARE_FINAL_TYPE (AnxDisplayZone, anx_display_zone, ANX, DISPLAY_ZONE, GObject)

AnxDisplayZone *anx_display_zone_new             (GSettings      *settings);
AnxDisplayZone *anx_display_zone_dup_default     (void);
GTimeZone      *anx_display_zone_get_zone        (AnxDisplayZone *self);

G_END_DECLS
