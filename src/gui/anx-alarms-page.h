/* anx-alarms-page.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-outbox.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_ALARMS_PAGE (anx_alarms_page_get_type ())

G_DECLARE_FINAL_TYPE (AnxAlarmsPage, anx_alarms_page, ANX, ALARMS_PAGE, AdwBin)

void               anx_alarms_page_set_store     (AnxAlarmsPage *self,
                                                  AnxStore      *store,
                                                  AnxOutbox     *outbox);
GListModel        *anx_alarms_page_get_rows      (AnxAlarmsPage *self);
GtkSelectionModel *anx_alarms_page_get_selection (AnxAlarmsPage *self);
gboolean           anx_alarms_page_select_alarm  (AnxAlarmsPage *self,
                                                  gint64         alarm_id);
guint              anx_alarms_page_get_n_cached_chargers (AnxAlarmsPage *self);
guint              anx_alarms_page_get_n_notifications   (AnxAlarmsPage *self);

G_END_DECLS
