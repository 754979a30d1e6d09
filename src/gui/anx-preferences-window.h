/* anx-preferences-window.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-application.h"

G_BEGIN_DECLS

#define ANX_TYPE_PREFERENCES_WINDOW (anx_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (AnxPreferencesWindow, anx_preferences_window, ANX, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

AnxPreferencesWindow *anx_preferences_window_new (AnxApplication *application);

G_END_DECLS
