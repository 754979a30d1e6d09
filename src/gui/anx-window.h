/* anx-window.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-application.h"

G_BEGIN_DECLS

#define ANX_TYPE_WINDOW (anx_window_get_type ())

G_DECLARE_FINAL_TYPE (AnxWindow, anx_window, ANX, WINDOW, AdwApplicationWindow)

AnxWindow    *anx_window_new            (AnxApplication *application);
AdwViewStack *anx_window_get_view_stack (AnxWindow      *self);

G_END_DECLS
