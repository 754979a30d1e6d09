/* anx-report.h: a printable report as headings, facts, tables and text
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  char      *heading;
  GPtrArray *facts;   /* (element-type utf8): label, value, label, value… */
  GStrv      columns; /* table header, or %NULL */
  GPtrArray *rows;    /* (element-type GStrv) */
  GPtrArray *notes;   /* (element-type utf8): paragraphs after the table */
} AnxReportSection;

typedef struct
{
  char      *title;
  char      *subtitle;
  GPtrArray *sections; /* (element-type AnxReportSection) */
} AnxReport;

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxReport        *anx_report_new          (const char        *title,
                                           const char        *subtitle);
void              anx_report_free         (AnxReport         *self);
AnxReportSection *anx_report_add_section  (AnxReport         *self,
                                           const char        *heading);
void              anx_report_section_add_fact (AnxReportSection *section,
                                           const char        *label,
                                           const char        *value);
void              anx_report_section_set_columns (AnxReportSection *section,
                                           const char *const *columns);
void              anx_report_section_add_row (AnxReportSection *section,
                                           const char *const *cells);
void              anx_report_section_add_note (AnxReportSection *section,
                                           const char        *text);
char             *anx_report_to_text      (AnxReport         *self);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxReport, anx_report_free)

G_END_DECLS
