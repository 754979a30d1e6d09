/* anx-connection-indicator.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "anx-feed-client.h"

G_BEGIN_DECLS

#define ANX_TYPE_CONNECTION_INDICATOR (anx_connection_indicator_get_type ())

G_DECLARE_FINAL_TYPE (AnxConnectionIndicator, anx_connection_indicator, ANX, CONNECTION_INDICATOR, GtkWidget)

AnxFeedClient      *anx_connection_indicator_get_client (AnxConnectionIndicator *self);
void                anx_connection_indicator_set_client (AnxConnectionIndicator *self,
                                                         AnxFeedClient          *client);
AnxFeedClientState  anx_connection_indicator_get_state  (AnxConnectionIndicator *self);
const char         *anx_connection_indicator_get_text   (AnxConnectionIndicator *self);

G_END_DECLS
