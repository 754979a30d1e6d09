/* anx-application.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ANX_TYPE_APPLICATION (anx_application_get_type ())

G_DECLARE_FINAL_TYPE (AnxApplication, anx_application, ANX, APPLICATION, AdwApplication)

AnxApplication *anx_application_new          (const char     *application_id);
GSettings      *anx_application_get_settings (AnxApplication *self);
const char     *anx_application_get_feed_uri (AnxApplication *self);

G_END_DECLS
