/* anx-wall-window.h: the unattended, full-screen, read-only wall display
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-alarm-ticker.h"
#include "anx-application.h"
#include "anx-charger-layer.h"
#include "anx-wall-tile.h"

G_BEGIN_DECLS

#define ANX_TYPE_WALL_WINDOW (anx_wall_window_get_type ())

G_DECLARE_FINAL_TYPE (AnxWallWindow, anx_wall_window, ANX, WALL_WINDOW, AdwApplicationWindow)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxWallWindow   *anx_wall_window_new               (AnxApplication *application);
void             anx_wall_window_present_on_monitor (AnxWallWindow *self,
                                                     int            monitor);
int              anx_wall_window_get_monitor       (AnxWallWindow  *self);
AnxWallTile     *anx_wall_window_get_tile          (AnxWallWindow  *self,
                                                    const char     *name);
AnxAlarmTicker  *anx_wall_window_get_ticker        (AnxWallWindow  *self);
AnxChargerLayer *anx_wall_window_get_charger_layer (AnxWallWindow  *self);
gboolean         anx_wall_window_get_stale         (AnxWallWindow  *self);
const char      *anx_wall_window_get_stale_text    (AnxWallWindow  *self);
const char      *anx_wall_window_get_map_age       (AnxWallWindow  *self);
const char      *anx_wall_window_get_view          (AnxWallWindow  *self);
double           anx_wall_window_get_font_size     (AnxWallWindow  *self);
guint            anx_wall_window_get_inhibit_cookie (AnxWallWindow *self);
void             anx_wall_window_set_monitors       (AnxWallWindow *self,
                                                     GListModel    *monitors);
/* clang-format on */

G_END_DECLS
