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
#include <glib/gstdio.h>
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
  GCancellable         *cancellable; /* of the export under way */

  /* Template widgets */
  AdwPreferencesGroup  *records_group;
  AdwComboRow          *range_row;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  AdwActionRow         *range_error;
  GtkLabel             *status_label;
  GtkSpinner           *spinner;
  GtkButton            *cancel_button;
};

typedef enum
{
  JOB_BUNDLE,
  JOB_PDF,
  JOB_PRINT,
} JobKind;

/* An export: what the worker needs (it opens its own read connection of
 * the store), then what it made. */
typedef struct
{
  JobKind            kind;
  char              *store_path;
  char              *charger;
  AnxEvidenceRange   range;
  GDateTime         *exported_at;
  GTimeZone         *zone;
  char              *path;
  AnxEvidenceBundle *bundle;
  AnxReport         *report;
  guint              n_records;
  guint              n_findings;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_free (job->store_path);
  g_free (job->charger);
  g_clear_pointer (&job->range.from_time, g_date_time_unref);
  g_clear_pointer (&job->range.to_time, g_date_time_unref);
  g_clear_pointer (&job->exported_at, g_date_time_unref);
  g_clear_pointer (&job->zone, g_time_zone_unref);
  g_free (job->path);
  g_clear_pointer (&job->bundle, anx_evidence_bundle_unref);
  g_clear_pointer (&job->report, anx_report_free);
  g_free (job);
}

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

/* The chosen range into @range (its times owned by the caller), or %FALSE
 * with the reason shown. */
static gboolean
read_range (AnxEvidenceDialog  *self,
            AnxEvidenceRange   *range,
            GError            **error)
{
  const char *from_text = gtk_editable_get_text (GTK_EDITABLE (self->from_row));
  const char *to_text = gtk_editable_get_text (GTK_EDITABLE (self->to_row));

  *range = (AnxEvidenceRange) { 0, G_MAXUINT64, NULL, NULL };
  switch (adw_combo_row_get_selected (self->range_row))
    {
    case RANGE_SEQUENCE:
      if (!parse_sequence (from_text, &range->from_sequence) ||
          !parse_sequence (to_text, &range->to_sequence))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Give the first and the last record as numbers, e.g. 0 and 120"));
          show_range_error (self, (*error)->message);
          return FALSE;
        }
      break;
    case RANGE_DATES:
      {
        g_autoptr(GDateTime) from_time = parse_date (from_text, self->zone);
        g_autoptr(GDateTime) to_time = parse_date (to_text, self->zone);

        if (from_time == NULL || to_time == NULL)
          {
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                 _("Give the dates as 2026-03-16"));
            show_range_error (self, (*error)->message);
            return FALSE;
          }
        range->from_time = g_steal_pointer (&from_time);
        /* The last day is included. */
        range->to_time = g_date_time_add_days (to_time, 1);
      }
      break;
    case RANGE_ALL:
    default:
      break;
    }
  show_range_error (self, NULL);
  return TRUE;
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

/* While an export runs: a spinner, Cancel, and no second export. */
static void
set_busy (AnxEvidenceDialog *self,
          gboolean           busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.save-bundle", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.save-pdf", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.print", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.cancel", busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->records_group), !busy);
  if (busy)
    set_status (self, _("Reading the records…"), FALSE);
}

/* On a worker, on its own read connection: the bundle (written and
 * verified), or the report's data. Thousands of records would freeze the
 * window on the main thread. */
static void
export_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (job->store_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                               db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  job->bundle = anx_evidence_export_bundle (db, job->charger, &job->range, job->exported_at, &error);
  if (job->bundle != NULL && !g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      if (job->kind == JOB_BUNDLE)
        {
          if (anx_evidence_bundle_save (job->bundle, job->path, &error))
            {
              g_autoptr(GPtrArray) findings = anx_evidence_bundle_verify (job->bundle);

              job->n_findings = findings->len;
              job->n_records = anx_evidence_bundle_get_records (job->bundle)->len;
            }
        }
      else
        job->report = anx_evidence_export_report (db, job->bundle, job->zone);
    }
  sqlite3_close (db);
  if (error == NULL && g_cancellable_set_error_if_cancelled (cancellable, &error) &&
      job->kind == JOB_BUNDLE)
    g_unlink (job->path); /* Cancelled: no file that looks finished. */
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Back on the main thread: what was made is saved, printed or said. */
static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (source);
  g_autoptr(GTask) outer = user_data;
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, _("Export cancelled"), FALSE);
      else
        {
          set_status (self, error->message, TRUE);
          /* Nothing in the range, say: said next to it. */
          if (job->bundle == NULL)
            show_range_error (self, error->message);
        }
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  switch (job->kind)
    {
    case JOB_BUNDLE:
      if (job->n_findings == 0)
        /* Translators: %1$u is a number of records, %2$s a file */
        status = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE, "%1$u record saved to %2$s. It verifies without findings.",
                         "%1$u records saved to %2$s. They verify without findings.", job->n_records),
            job->n_records, job->path);
      else
        /* Translators: %1$s is a file, %2$u a number of findings */
        status = g_strdup_printf (_("Saved to %1$s. Findings of the verification: %2$u (see the report)."),
                                  job->path, job->n_findings);
      break;

    case JOB_PDF:
      /* GTK prints on the main thread only. */
      if (!anx_report_export_pdf (g_steal_pointer (&job->report), GTK_WINDOW (self), job->path, &error))
        break;
      /* Translators: %s is a file */
      status = g_strdup_printf (_("Report saved to %s"), job->path);
      break;

    case JOB_PRINT:
    default:
      {
        g_autoptr(GtkPrintOperation) operation =
            anx_report_print_operation_new (g_steal_pointer (&job->report));

        gtk_print_operation_set_allow_async (operation, TRUE);
        gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, GTK_WINDOW (self),
                                 &error);
        status = g_strdup ("");
      }
      break;
    }
  if (error != NULL)
    {
      set_status (self, error->message, TRUE);
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  set_status (self, status, FALSE);
  g_task_return_boolean (outer, TRUE);
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
anx_evidence_dialog_export_async (AnxEvidenceDialog   *self,
                                  JobKind              kind,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ExportJob *job;

  if (self->cancellable != NULL)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING, _("An export is under way"));
      return;
    }
  job = g_new0 (ExportJob, 1);
  if (!read_range (self, &job->range, &error))
    {
      export_job_free (job);
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  job->kind = kind;
  job->store_path = g_strdup (anx_store_get_path (self->store));
  job->charger = g_strdup (self->charger);
  job->exported_at = g_date_time_new_now (self->zone);
  job->zone = g_time_zone_ref (self->zone);
  job->path = g_strdup (path);

  /* Cancel (the button, or the caller's cancellable) stops the worker. */
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                           g_object_ref (self->cancellable), g_object_unref);
  set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, on_export_done, g_steal_pointer (&outer));
  g_task_set_source_tag (task, anx_evidence_dialog_export_async);
  g_task_set_task_data (task, job, export_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  /* The worker's own result decides: a cancel that comes after the bundle
   * was written must not report "cancelled" over a file that is there. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, export_thread);
}

static gboolean
anx_evidence_dialog_export_finish (AnxEvidenceDialog  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The file chooser's answer: an export to that file. */
static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  AnxEvidenceDialog *self = user_data;
  JobKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "anx-kind"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    anx_evidence_dialog_export_async (self, kind, path, NULL, NULL, NULL);
  g_clear_object (&self->chooser);
}

static void
choose_file (AnxEvidenceDialog *self,
             const char        *title,
             const char        *name,
             JobKind            kind)
{
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "anx-kind", GINT_TO_POINTER (kind));
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

  choose_file (self, _("Save Evidence Bundle"), name, JOB_BUNDLE);
}

static void
save_pdf_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (widget);
  g_autofree char *name = g_strdup_printf ("report-%s.pdf", self->charger);

  choose_file (self, _("Save Report as PDF"), name, JOB_PDF);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  anx_evidence_dialog_export_async (ANX_EVIDENCE_DIALOG (widget), JOB_PRINT, NULL, NULL, NULL, NULL);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
anx_evidence_dialog_dispose (GObject *object)
{
  AnxEvidenceDialog *self = ANX_EVIDENCE_DIALOG (object);

  /* Closed while exporting: the worker stops at its next step. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
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
  g_clear_object (&self->cancellable);
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
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AnxEvidenceDialog, cancel_button);
  gtk_widget_class_install_action (widget_class, "evidence.save-bundle", NULL, save_bundle_action);
  gtk_widget_class_install_action (widget_class, "evidence.save-pdf", NULL, save_pdf_action);
  gtk_widget_class_install_action (widget_class, "evidence.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "evidence.cancel", NULL, cancel_action);
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "evidence.cancel", FALSE);
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
 * anx_evidence_dialog_save_bundle_async:
 * @self: a dialog
 * @path: the file to write
 * @cancellable: (nullable): to stop it (the dialog's Cancel does too)
 * @callback: called when done
 * @user_data: for @callback
 *
 * Writes the evidence bundle of the chosen range on a worker thread (the
 * window stays responsive, with a spinner and Cancel), and says what
 * verifying it found.
 */
void
anx_evidence_dialog_save_bundle_async (AnxEvidenceDialog   *self,
                                       const char          *path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (ANX_IS_EVIDENCE_DIALOG (self));
  g_return_if_fail (path != NULL);

  anx_evidence_dialog_export_async (self, JOB_BUNDLE, path, cancellable, callback, user_data);
}

/**
 * anx_evidence_dialog_save_bundle_finish:
 *
 * Returns: %TRUE when the bundle is written
 */
gboolean
anx_evidence_dialog_save_bundle_finish (AnxEvidenceDialog  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  return anx_evidence_dialog_export_finish (self, result, error);
}

/**
 * anx_evidence_dialog_save_pdf_async:
 * @self: a dialog
 * @path: the PDF file to write
 * @cancellable: (nullable): to stop it (the dialog's Cancel does too)
 * @callback: called when done
 * @user_data: for @callback
 *
 * Writes the report of the chosen range as PDF, in the UI language: its
 * data gathered on a worker thread, the PDF drawn on the main thread.
 */
void
anx_evidence_dialog_save_pdf_async (AnxEvidenceDialog   *self,
                                    const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (ANX_IS_EVIDENCE_DIALOG (self));
  g_return_if_fail (path != NULL);

  anx_evidence_dialog_export_async (self, JOB_PDF, path, cancellable, callback, user_data);
}

/**
 * anx_evidence_dialog_save_pdf_finish:
 *
 * Returns: %TRUE when the PDF is written
 */
gboolean
anx_evidence_dialog_save_pdf_finish (AnxEvidenceDialog  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  return anx_evidence_dialog_export_finish (self, result, error);
}
