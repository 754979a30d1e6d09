/* anx-application.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-display-zone.h"
#include "anx-feed-client.h"
#include "anx-outbox.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_APPLICATION (anx_application_get_type ())

G_DECLARE_FINAL_TYPE (AnxApplication, anx_application, ANX, APPLICATION, AdwApplication)

AnxApplication *anx_application_new          (const char     *application_id);
GSettings      *anx_application_get_settings (AnxApplication *self);
const char     *anx_application_get_feed_uri (AnxApplication *self);
AnxStore       *anx_application_get_store    (AnxApplication *self);
AnxOutbox      *anx_application_get_outbox   (AnxApplication *self);
AnxFeedClient  *anx_application_get_feed_client (AnxApplication *self);
gboolean        anx_application_has_token    (AnxApplication *self);
gboolean        anx_application_set_feed_token (AnxApplication *self,
                                              const char     *token,
                                              GError        **error);
gboolean        anx_application_use_feed     (AnxApplication *self,
                                              const char     *uri,
                                              const char     *token,
                                              GError        **error);
GTimeZone      *anx_application_dup_time_zone (AnxApplication *self);
AnxDisplayZone *anx_application_get_display_zone (AnxApplication *self);

G_END_DECLS
