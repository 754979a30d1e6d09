/* anx-ratio-chart.h: billed/metered energy per session, with the tolerance band
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ANX_TYPE_RATIO_CHART (anx_ratio_chart_get_type ())

G_DECLARE_FINAL_TYPE (AnxRatioChart, anx_ratio_chart, ANX, RATIO_CHART, GtkWidget)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GtkWidget *anx_ratio_chart_new           (void);
void       anx_ratio_chart_set_points    (AnxRatioChart *self,
                                          GArray        *points,
                                          guint          tolerance_bp);
guint      anx_ratio_chart_get_n_points  (AnxRatioChart *self);
guint      anx_ratio_chart_get_n_outside (AnxRatioChart *self);
/* clang-format on */

G_END_DECLS
