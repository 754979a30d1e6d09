/* anx-report-print.c: lay out a report with Pango for printing and PDF
 *
 * A report (anx-report.h) becomes a list of blocks — the title, headings,
 * fact lines, table rows and paragraphs — each a row of Pango layouts
 * measured at the page's width, then cut into pages. Fonts come through
 * fontconfig, so Chinese text is set in Noto Sans CJK.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-report-print"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-report-print.h"

#define GAP_CELL   6.0
#define GAP_ROW    3.0

typedef struct
{
  GPtrArray *cells;   /* (element-type PangoLayout) */
  GArray    *x;       /* double: where each cell starts */
  double     height;
  double     space_before;
  gboolean   rule_below;
  gboolean   keep_with_next;
} Block;

typedef struct
{
  AnxReport *report;
  GPtrArray *blocks;  /* (element-type Block) */
  GArray    *page_starts; /* guint: the first block of each page */
  double     footer_height;
} Job;

static void
block_free (gpointer data)
{
  Block *block = data;

  g_ptr_array_unref (block->cells);
  g_array_unref (block->x);
  g_free (block);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  anx_report_free (job->report);
  g_clear_pointer (&job->blocks, g_ptr_array_unref);
  g_clear_pointer (&job->page_starts, g_array_unref);
  g_free (job);
}

static PangoLayout *
make_layout (GtkPrintContext *context,
             const char      *text,
             const char      *font,
             double           width)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (layout, pango_units_from_double (MAX (width, 10.0)));
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  return layout;
}

static Block *
add_block (Job    *job,
           double  space_before)
{
  Block *block = g_new0 (Block, 1);

  block->cells = g_ptr_array_new_with_free_func (g_object_unref);
  block->x = g_array_new (FALSE, FALSE, sizeof (double));
  block->space_before = space_before;
  g_ptr_array_add (job->blocks, block);
  return block;
}

static void
add_cell (Block       *block,
          PangoLayout *layout,
          double       x)
{
  int height = 0;

  pango_layout_get_size (layout, NULL, &height);
  block->height = MAX (block->height, pango_units_to_double (height) + GAP_ROW);
  g_ptr_array_add (block->cells, layout);
  g_array_append_val (block->x, x);
}

static void
add_text_block (Job             *job,
                GtkPrintContext *context,
                const char      *text,
                const char      *font,
                double           space_before,
                double           width)
{
  Block *block = add_block (job, space_before);

  add_cell (block, make_layout (context, text, font, width), 0);
}

static void
add_table_row (Job               *job,
               GtkPrintContext   *context,
               const char *const *cells,
               guint              n_columns,
               const char        *font,
               double             width,
               gboolean           header)
{
  Block *block = add_block (job, header ? 6 : 0);
  double column = (width - GAP_CELL * (n_columns - 1)) / n_columns;

  for (guint i = 0; i < n_columns && cells[i] != NULL; i++)
    add_cell (block, make_layout (context, cells[i], font, column), i * (column + GAP_CELL));
  block->rule_below = header;
}

static void
build_blocks (Job             *job,
              GtkPrintContext *context)
{
  double width = gtk_print_context_get_width (context);
  AnxReport *report = job->report;

  g_clear_pointer (&job->blocks, g_ptr_array_unref);
  job->blocks = g_ptr_array_new_with_free_func (block_free);

  add_text_block (job, context, report->title, "Sans Bold 16", 0, width);
  if (report->subtitle != NULL)
    add_text_block (job, context, report->subtitle, "Sans 9", 2, width);

  for (guint i = 0; i < report->sections->len; i++)
    {
      AnxReportSection *section = g_ptr_array_index (report->sections, i);
      Block *heading;

      add_text_block (job, context, section->heading, "Sans Bold 12", 14, width);
      heading = g_ptr_array_index (job->blocks, job->blocks->len - 1);
      heading->rule_below = TRUE;
      heading->keep_with_next = TRUE;
      for (guint j = 0; j + 1 < section->facts->len; j += 2)
        {
          Block *block = add_block (job, j == 0 ? 4 : 0);

          add_cell (block,
                    make_layout (context, section->facts->pdata[j], "Sans Bold 9", width * 0.32),
                    0);
          add_cell (block,
                    make_layout (context, section->facts->pdata[j + 1], "Sans 9", width * 0.66),
                    width * 0.34);
        }
      if (section->columns != NULL && section->rows->len > 0)
        {
          guint n_columns = g_strv_length (section->columns);
          Block *header;

          add_table_row (job, context, (const char *const *) section->columns, n_columns,
                         "Sans Bold 8", width, TRUE);
          header = g_ptr_array_index (job->blocks, job->blocks->len - 1);
          header->keep_with_next = TRUE;
          for (guint j = 0; j < section->rows->len; j++)
            add_table_row (job, context, section->rows->pdata[j], n_columns, "Sans 8", width,
                           FALSE);
        }
      for (guint j = 0; j < section->notes->len; j++)
        add_text_block (job, context, section->notes->pdata[j], "Sans 9", 4, width);
    }
}

static void
paginate (Job             *job,
          GtkPrintContext *context)
{
  double page_height = gtk_print_context_get_height (context) - job->footer_height;
  double y = 0;

  g_clear_pointer (&job->page_starts, g_array_unref);
  job->page_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  {
    guint zero = 0;

    g_array_append_val (job->page_starts, zero);
  }
  for (guint i = 0; i < job->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (job->blocks, i);
      double needed = block->space_before + block->height;

      /* A heading or table header stays with what follows it, and a
       * heading followed by a table header with the table's first row. */
      for (guint j = i; ((Block *) g_ptr_array_index (job->blocks, j))->keep_with_next &&
                        j + 1 < job->blocks->len;
           j++)
        {
          Block *next = g_ptr_array_index (job->blocks, j + 1);

          needed += next->space_before + next->height;
        }
      if (y > 0 && y + needed > page_height)
        {
          g_array_append_val (job->page_starts, i);
          y = 0;
        }
      y += (y > 0 ? block->space_before : 0) + block->height;
    }
}

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                gpointer           user_data)
{
  Job *job = user_data;

  job->footer_height = 20;
  build_blocks (job, context);
  paginate (job, context);
  gtk_print_operation_set_n_pages (operation, (int) job->page_starts->len);
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              gpointer           user_data)
{
  Job *job = user_data;
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  guint first = g_array_index (job->page_starts, guint, page_nr);
  guint end = (guint) page_nr + 1 < job->page_starts->len
                  ? g_array_index (job->page_starts, guint, page_nr + 1)
                  : job->blocks->len;
  double y = 0;

  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint i = first; i < end; i++)
    {
      Block *block = g_ptr_array_index (job->blocks, i);

      if (i > first)
        y += block->space_before;
      for (guint j = 0; j < block->cells->len; j++)
        {
          cairo_move_to (cr, g_array_index (block->x, double, j), y);
          pango_cairo_show_layout (cr, g_ptr_array_index (block->cells, j));
        }
      y += block->height;
      if (block->rule_below)
        {
          cairo_set_line_width (cr, 0.5);
          cairo_move_to (cr, 0, y - 1);
          cairo_line_to (cr, width, y - 1);
          cairo_stroke (cr);
          y += 2;
        }
    }

  {
    /* Translators: the footer of a printed page */
    g_autofree char *footer = g_strdup_printf (_("Page %1$d of %2$u"), page_nr + 1,
                                               job->page_starts->len);
    g_autoptr(PangoLayout) layout = make_layout (context, footer, "Sans 8", width);

    pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
    cairo_move_to (cr, 0, height - job->footer_height + 6);
    pango_cairo_show_layout (cr, layout);
  }
}

/**
 * anx_report_print_operation_new:
 * @report: (transfer full): the report
 *
 * Returns: (transfer full): a print operation that prints @report on A4
 */
GtkPrintOperation *
anx_report_print_operation_new (AnxReport *report)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  Job *job = g_new0 (Job, 1);

  job->report = report;
  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, report->title);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_object_set_data_full (G_OBJECT (operation), "anx-report-job", job, job_free);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), job);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), job);
  return operation;
}

/**
 * anx_report_export_pdf:
 * @report: (transfer full): the report
 * @parent: (nullable): the window the operation belongs to
 * @path: the PDF file to write
 * @error: return location for an error
 *
 * Returns: %TRUE when the PDF is written
 */
gboolean
anx_report_export_pdf (AnxReport   *report,
                       GtkWindow   *parent,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GtkPrintOperation) operation = anx_report_print_operation_new (report);
  GtkPrintOperationResult result;

  gtk_print_operation_set_export_filename (operation, path);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, parent, error);
  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}
