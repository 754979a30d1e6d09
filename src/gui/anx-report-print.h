/* anx-report-print.h: lay out a report with Pango for printing and PDF
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "anx-report.h"

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
GtkPrintOperation *anx_report_print_operation_new (AnxReport  *report);
gboolean           anx_report_export_pdf          (AnxReport  *report,
                                                   GtkWindow  *parent,
                                                   const char *path,
                                                   GError    **error);
/* clang-format on */

G_END_DECLS
