/* anx-evidence-dialog.c: export a charger's evidence
 *
 * All records or a range (sequence numbers, or dates in China Standard
 * Time), saved as an evidence bundle (docs/evidence-bundle.md) that
 * `anxin-verify chain` checks on another machine, and as a report printed
 * or saved as PDF with GtkPrintOperation.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-evidence-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "anx-application.h"
#include "anx-evidence-dialog.h"
#include "anx-evidence-export.h"
#include "anx-report-print.h"

enum
{
  RANGE_ALL,
  RANGE_SEQUENCE,
  RANGE_DATES,
};

struct _AnxEvidenceDialog
{
  AdwWindow             parent_instance;

  AnxStore             *store;
  char                 *charger;
  GTimeZone            *zone;
  GtkFileChooserNative *chooser;

  /* Template widgets */
  AdwPreferencesGroup  *records_group;
  AdwComboRow          *range_row;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  AdwActionRow         *range_error;
  GtkLabel             *status_label;
};

G_DEFINE_FINAL_TYPE (AnxEvidenceDialog, anx_evidence_dialog, ADW_TYPE_WINDOW)

static gboolean
parse_sequence (const char *text,
                guint64    *value)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));

  return *clean != '\0' && g_ascii_string_to_unsigned (clean, 10, 0, G_MAXINT64, value, NULL);
}

static GDateTime *
parse_date (const char *text,
            GTimeZone  *zone)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  int year, month, day, used = 0;

  if (sscanf (clean, "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3 || clean[used] != '\0')
    return NULL;
  return g_date_time_new (zone, year, month, day, 0, 0, 0);
}

static void
show_range_error (AnxEvidenceDialog *self,
                  const char        *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->range_error), message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->range_error), message != NULL);
}

/* The bundle of the chosen range, or %NULL with the reason shown. */
static AnxEvidenceBundle *
make_bundle (AnxEvidenceDialog  *self,
             GError            **error)
{
  AnxEvidenceRange range = { 0, G_MAXUINT64, NULL, NULL };
  g_autoptr(GDateTime) from_time = NULL;
  g_autoptr(GDateTime) to_time = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  const char *from_text = gtk_editable_get_text (GTK_EDITABLE (self->from_row));
  const char *to_text = gtk_editable_get_text (GTK_EDITABLE (self->to_row));
  AnxEvidenceBundle *bundle;

  switch (adw_combo_row_get_selected (self->range_row))
    {
    case RANGE_SEQUENCE:
      if (!parse_sequence (from_text, &range.from_sequence) ||
          !parse_sequence (to_text, &range.to_sequence))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Give the first and the last record as numbers, e.g. 0 and 120"));
          show_range_error (self, (*error)->message);
          return NULL;
        }
      break;
    case RANGE_DATES:
      from_time = parse_date (from_text, self->zone);
      to_time = parse_date (to_text, self->zone);
      if (from_time == NULL || to_time == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Give the dates as 2026-03-16"));
          show_range_error (self, (*error)->message);
          return NULL;
        }
      range.from_time = from_time;
      /* The last day is included. */
      {
        GDateTime *next = g_date_time_add_days (to_time, 1);

        g_date_time_unref (to_time);
        range.to_time = to_time = next;
      }
      break;
    case RANGE_ALL:
    default:
      break;
    }

  bundle = anx_evidence_export_bundle (anx_store_get_read_db (self->store), self->charger, &range,
                                       now, error);
  show_range_error (self, bundle == NULL ? (*error)->message : NULL);
  return bundle;
}

static void
on_range_selected (AnxEvidenceDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->range_row);

  gtk_widget_set_visible (GTK_WIDGET (self->from_row), selected != RANGE_ALL);
  gtk_widget_set_visible (GTK_WIDGET (self->to_row), selected != RANGE_ALL);
  show_range_error (self, NULL);
}

static void
set_status (AnxEvidenceDialog *self,
            const char        *text,
            gboolean           error)
{
  gtk_label_set_label (self->status_label, text);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

typedef gboolean (*SaveFunc) (AnxEvidenceDialog *self,
                              const char        *path,
                              GError           **error);

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  AnxEvidenceDialog *self = user_data;
  SaveFunc save = g_object_get_data (G_OBJECT (chooser), "anx-save");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL && !save (self, path, &error))
    set_status (self, error->message, TRUE);
  g_clear_object (&self->chooser);
}

static void
choose_file (AnxEvidenceDialog *self,
             const char        *title,
             const char        *name,
             SaveFunc           save)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "anx-save", save);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_bundle_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (widget);
  g_autofree char *name = g_strdup_printf ("evidence-%s.json", self->charger);

  choose_file (self, _("Save Evidence Bundle"), name, anx_evidence_dialog_save_bundle);
}

static void
save_pdf_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (widget);
  g_autofree char *name = g_strdup_printf ("report-%s.pdf", self->charger);

  choose_file (self, _("Save Report as PDF"), name, anx_evidence_dialog_save_pdf);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxEvidenceBundle) bundle = make_bundle (self, &error);
  g_autoptr(GtkPrintOperation) operation = NULL;

  if (bundle == NULL)
    return;
  operation = anx_report_print_operation_new (
      anx_evidence_export_report (anx_store_get_read_db (self->store), bundle, self->zone));
  gtk_print_operation_set_allow_async (operation, TRUE);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_WINDOW (self), &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    set_status (self, error->message, TRUE);
}

static void
anx_evidence_dialog_dispose (GObject *object)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_EVIDENCE_DIALOG);

  G_OBJECT_CLASS (anx_evidence_dialog_parent_class)->dispose (object);
}

static void
anx_evidence_dialog_finalize (GObject *object)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_free (self->charger);

  G_OBJECT_CLASS (anx_evidence_dialog_parent_class)->finalize (object);
}

static void
anx_evidence_dialog_class_init (AnxEvidenceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_evidence_dialog_dispose;
  object_class->finalize = anx_evidence_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-evidence-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, records_group);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, range_row);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, range_error);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, status_label);
  gtk_widget_class_install_action (widget_class, "evidence.save-bundle", NULL, save_bundle_action);
  gtk_widget_class_install_action (widget_class, "evidence.save-pdf", NULL, save_pdf_action);
  gtk_widget_class_install_action (widget_class, "evidence.print", NULL, print_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
anx_evidence_dialog_init (AnxEvidenceDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The configured zone as the dialog opens (it is modal, as is Preferences). */
  {
    g_autoptr(AnxDisplayZone) display_zone = anx_display_zone_dup_default ();

    self->zone = g_time_zone_ref (anx_display_zone_get_zone (display_zone));
  }
  g_signal_connect_swapped (self->range_row, "notify::selected", G_CALLBACK (on_range_selected),
                            self);
}

/**
 * anx_evidence_dialog_new:
 * @parent: (nullable): the window it is modal for
 * @store: the console's store
 * @charger: the charger's code
 *
 * Returns: (transfer full): a new dialog, not yet shown
 */
AnxEvidenceDialog *
anx_evidence_dialog_new (GtkWindow  *parent,
                         AnxStore   *store,
                         const char *charger)
{
  AnxEvidenceDialog *self = g_object_new (ANX_TYPE_EVIDENCE_DIALOG, "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  self->charger = g_strdup (charger);
  adw_preferences_group_set_description (self->records_group, charger);
  return self;
}

/**
 * anx_evidence_dialog_present_for:
 * @window: the console's window
 * @charger: the charger's code
 *
 * Returns: (transfer none) (nullable): the dialog, or %NULL without a store
 */
AnxEvidenceDialog *
anx_evidence_dialog_present_for (GtkWindow  *window,
                                 const char *charger)
{
  GtkApplication *app = gtk_window_get_application (window);
  AnxStore *store;
  AnxEvidenceDialog *self;

  if (!ANX_IS_APPLICATION (app))
    return NULL;
  store = anx_application_get_store (ANX_APPLICATION (app));
  if (store == NULL || charger == NULL || *charger == '\0')
    return NULL;
  self = anx_evidence_dialog_new (window, store, charger);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

/**
 * anx_evidence_dialog_save_bundle:
 * @self: a dialog
 * @path: the file to write
 * @error: return location for an error
 *
 * Writes the evidence bundle of the chosen range, and says what verifying
 * it found.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_evidence_dialog_save_bundle (AnxEvidenceDialog  *self,
                                 const char         *path,
                                 GError            **error)
{
  g_autoptr(AnxEvidenceBundle) bundle = make_bundle (self, error);
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *status = NULL;
  guint n_records;

  if (bundle == NULL || !anx_evidence_bundle_save (bundle, path, error))
    return FALSE;
  findings = anx_evidence_bundle_verify (bundle);
  n_records = anx_evidence_bundle_get_records (bundle)->len;
  if (findings->len == 0)
    /* Translators: %1$u is a number of records, %2$s a file */
    status = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%1$u record saved to %2$s. It verifies without findings.",
                     "%1$u records saved to %2$s. They verify without findings.", n_records),
        n_records, path);
  else
    /* Translators: %1$s is a file, %2$u a number of findings */
    status =
        g_strdup_printf (_("Saved to %1$s. Findings of the verification: %2$u (see the report)."),
                         path, findings->len);
  set_status (self, status, FALSE);
  return TRUE;
}

/**
 * anx_evidence_dialog_save_pdf:
 * @self: a dialog
 * @path: the PDF file to write
 * @error: return location for an error
 *
 * Writes the report of the chosen range as PDF, in the UI language.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_evidence_dialog_save_pdf (AnxEvidenceDialog  *self,
                              const char         *path,
                              GError            **error)
{
  g_autoptr(AnxEvidenceBundle) bundle = make_bundle (self, error);
  g_autofree char *status = NULL;

  if (bundle == NULL)
    return FALSE;
  if (!anx_report_export_pdf (anx_evidence_export_report (anx_store_get_read_db (self->store),
                                                          bundle, self->zone),
                              GTK_WINDOW (self), path, error))
    return FALSE;
  /* Translators: %s is a file */
  status = g_strdup_printf (_("Report saved to %s"), path);
  set_status (self, status, FALSE);
  return TRUE;
}
