/* anx-alarm-ticker.h: the newest open alarms, newest first, for the wall display
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ANX_TYPE_ALARM_TICKER (anx_alarm_ticker_get_type ())

G_DECLARE_FINAL_TYPE (AnxAlarmTicker, anx_alarm_ticker, ANX, ALARM_TICKER, GtkWidget)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GtkWidget  *anx_alarm_ticker_new          (void);
void        anx_alarm_ticker_set_model    (AnxAlarmTicker *self,
                                           GListModel     *alarms);
void        anx_alarm_ticker_set_max_rows (AnxAlarmTicker *self,
                                           guint           max_rows);
guint       anx_alarm_ticker_get_n_rows   (AnxAlarmTicker *self);
const char *anx_alarm_ticker_get_row_text (AnxAlarmTicker *self,
                                           guint           index);
/* clang-format on */

G_END_DECLS
