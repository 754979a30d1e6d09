/* anx-charger-page.h: one charger, its meter, alarms and chain history
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "anx-ratio-chart.h"
#include "anx-record-detail.h"
#include "anx-store.h"

G_BEGIN_DECLS

/* How many of the newest charge records the chart shows. */
#define ANX_CHARGER_PAGE_CHART_POINTS 500

#define ANX_TYPE_CHARGER_PAGE (anx_charger_page_get_type ())

G_DECLARE_FINAL_TYPE (AnxChargerPage, anx_charger_page, ANX, CHARGER_PAGE, GtkWidget)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
void             anx_charger_page_set_charger   (AnxChargerPage *self,
                                                 AnxStore       *store,
                                                 const char     *code);
const char      *anx_charger_page_get_charger   (AnxChargerPage *self);
GListModel      *anx_charger_page_get_chain     (AnxChargerPage *self);
AnxRatioChart   *anx_charger_page_get_chart     (AnxChargerPage *self);
gboolean         anx_charger_page_is_loading    (AnxChargerPage *self);
const char      *anx_charger_page_get_summary   (AnxChargerPage *self);
char            *anx_charger_page_describe      (AnxChargerPage *self);
AnxRecordDetail *anx_charger_page_open_record   (AnxChargerPage *self,
                                                 guint           position);
/* clang-format on */

G_END_DECLS
