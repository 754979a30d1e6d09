/* anx-report.c: a printable report as headings, facts, tables and text
 *
 * The content of a report, without its layout: the console lays it out
 * with Pango for printing and PDF, tests read it as plain text.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-report"

#include "config.h"

#include "anx-report.h"

static void
section_free (gpointer data)
{
  AnxReportSection *section = data;

  g_free (section->heading);
  g_ptr_array_unref (section->facts);
  g_strfreev (section->columns);
  g_ptr_array_unref (section->rows);
  g_ptr_array_unref (section->notes);
  g_free (section);
}

/**
 * anx_report_new:
 * @title: the report's title
 * @subtitle: (nullable): a line under it
 *
 * Returns: (transfer full): an empty report
 */
AnxReport *
anx_report_new (const char *title,
                const char *subtitle)
{
  AnxReport *self = g_new0 (AnxReport, 1);

  self->title = g_strdup (title);
  self->subtitle = g_strdup (subtitle);
  self->sections = g_ptr_array_new_with_free_func (section_free);
  return self;
}

/**
 * anx_report_free:
 * @self: (nullable): a report
 */
void
anx_report_free (AnxReport *self)
{
  if (self == NULL)
    return;
  g_free (self->title);
  g_free (self->subtitle);
  g_ptr_array_unref (self->sections);
  g_free (self);
}

/**
 * anx_report_add_section:
 * @self: a report
 * @heading: the section's heading
 *
 * Returns: (transfer none): the new section, at the end
 */
AnxReportSection *
anx_report_add_section (AnxReport  *self,
                        const char *heading)
{
  AnxReportSection *section = g_new0 (AnxReportSection, 1);

  section->heading = g_strdup (heading);
  section->facts = g_ptr_array_new_with_free_func (g_free);
  section->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  section->notes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->sections, section);
  return section;
}

/**
 * anx_report_section_add_fact:
 * @section: a section
 * @label: what the fact is
 * @value: (nullable): its value; %NULL is shown as a dash
 */
void
anx_report_section_add_fact (AnxReportSection *section,
                             const char       *label,
                             const char       *value)
{
  g_ptr_array_add (section->facts, g_strdup (label));
  g_ptr_array_add (section->facts, g_strdup (value != NULL && *value != '\0' ? value : "—"));
}

/**
 * anx_report_section_set_columns:
 * @section: a section
 * @columns: the table's column titles, %NULL-terminated
 */
void
anx_report_section_set_columns (AnxReportSection  *section,
                                const char *const *columns)
{
  g_strfreev (section->columns);
  section->columns = g_strdupv ((char **) columns);
}

/**
 * anx_report_section_add_row:
 * @section: a section with columns
 * @cells: as many cells as columns, %NULL-terminated
 */
void
anx_report_section_add_row (AnxReportSection  *section,
                            const char *const *cells)
{
  g_ptr_array_add (section->rows, g_strdupv ((char **) cells));
}

/**
 * anx_report_section_add_note:
 * @section: a section
 * @text: a paragraph
 */
void
anx_report_section_add_note (AnxReportSection *section,
                             const char       *text)
{
  g_ptr_array_add (section->notes, g_strdup (text));
}

/**
 * anx_report_to_text:
 * @self: a report
 *
 * Returns: (transfer full): the report as plain text, tab-separated tables
 */
char *
anx_report_to_text (AnxReport *self)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n", self->title);
  if (self->subtitle != NULL)
    g_string_append_printf (text, "%s\n", self->subtitle);
  for (guint i = 0; i < self->sections->len; i++)
    {
      AnxReportSection *section = g_ptr_array_index (self->sections, i);

      g_string_append_printf (text, "\n%s\n", section->heading);
      for (guint j = 0; j + 1 < section->facts->len; j += 2)
        g_string_append_printf (text, "%s: %s\n", (char *) section->facts->pdata[j],
                                (char *) section->facts->pdata[j + 1]);
      if (section->columns != NULL)
        {
          g_autofree char *header = g_strjoinv ("\t", section->columns);

          g_string_append_printf (text, "%s\n", header);
        }
      for (guint j = 0; j < section->rows->len; j++)
        {
          g_autofree char *row = g_strjoinv ("\t", section->rows->pdata[j]);

          g_string_append_printf (text, "%s\n", row);
        }
      for (guint j = 0; j < section->notes->len; j++)
        g_string_append_printf (text, "%s\n", (char *) section->notes->pdata[j]);
    }
  return g_string_free (text, FALSE);
}
