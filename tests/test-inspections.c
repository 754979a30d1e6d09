/* test-inspections.c: inspections and evidence against the real anxin-feedd
 *
 * Starts anxin-feedd on a fixed loopback port with the simulated Hangzhou
 * network and injected anomalies, syncs a console, then:
 *   - checks the worklist and its CSV, and screenshots it;
 *   - stops the server, marks an inspection for an open alarm through
 *     win.mark-inspection-for-alarm (first with invalid input, which the form
 *     explains), restarts the server on the same port and ledger, and checks
 *     that the mark is delivered exactly once (the server's REST), appended
 *     to the chain, and that the alarm it answers is closed;
 *   - exports an evidence bundle through win.export-evidence's dialog, runs
 *     `anxin-verify chain` on it (exit 0), tampers one byte (exit 1);
 *   - saves the report as PDF and reads it back with pdftotext.
 * Runs under xvfb-run and dbus-run-session, in English and zh_CN.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "anx-alarm-rules.h"
#include "anx-application.h"
#include "anx-evidence-bundle.h"
#include "anx-evidence-dialog.h"
#include "anx-inspection-dialog.h"
#include "anx-inspections-page.h"
#include "anx-store-item.h"
#include "anx-test-util.h"
#include "anx-test-display.h"
#include "anx-test-feedd.h"
#include "anx-token-store.h"
#include "anx-window.h"

#define BOM "\xEF\xBB\xBF"

static char *test_dir;

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
screenshot (GtkWindow  *window,
            const char *name)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;
  g_autofree char *path = NULL;

  anx_test_wait_for_draw (GTK_WIDGET (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  path = anx_test_screenshot (GTK_WIDGET (window), name);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static gboolean
client_live (gpointer data)
{
  AnxApplication *app = data;
  AnxFeedClient *client = anx_application_get_feed_client (app);

  return client != NULL && anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE &&
         anx_store_get_backlog (anx_application_get_store (app)) == 0 &&
         anx_store_count (anx_application_get_store (app), "records") > 0;
}

static gboolean
client_not_live (gpointer data)
{
  AnxApplication *app = data;
  AnxFeedClient *client = anx_application_get_feed_client (app);

  return client != NULL && anx_feed_client_get_state (client) != ANX_FEED_CLIENT_LIVE;
}

static char *
query_text (AnxApplication *app,
            const char     *sql,
            gint64          id)
{
  sqlite3 *db = anx_store_get_read_db (anx_application_get_store (app));
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

typedef struct
{
  AnxApplication      *app;
  AnxInspectionDialog *dialog;
  gint64               alarm_id;
} Mark;

static gboolean
delivered_and_closed (gpointer data)
{
  Mark *mark = data;
  g_autofree char *state = query_text (mark->app, "SELECT state FROM alarms WHERE id = ?",
                                       mark->alarm_id);

  return g_strcmp0 (anx_inspection_dialog_get_state (mark->dialog), ANX_OUTBOX_DELIVERED) == 0 &&
         g_strcmp0 (state, ANX_ALARM_STATE_CLOSED) == 0;
}

static gboolean
was_rejected (gpointer data)
{
  Mark *mark = data;

  return g_strcmp0 (anx_inspection_dialog_get_state (mark->dialog), ANX_OUTBOX_REJECTED) == 0;
}

static gboolean
dialog_pending (gpointer data)
{
  Mark *mark = data;

  return g_strcmp0 (anx_inspection_dialog_get_state (mark->dialog), ANX_OUTBOX_PENDING) == 0;
}

static GtkWidget *child_of (gpointer    widget,
                            GType       type,
                            const char *name);

static gboolean
inspector_filled (gpointer data)
{
  GtkWidget *row = child_of (data, ANX_TYPE_INSPECTION_DIALOG, "inspector_row");

  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), "admin") == 0;
}

static GtkWidget *
child_of (gpointer    widget,
          GType       type,
          const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* The server's inspection records of @code carrying @key. */
static guint
count_server_marks (AnxTestFeedd *feedd,
                    const char   *code,
                    const char   *key)
{
  g_autofree char *from = g_strdup ("0");
  guint n = 0;

  while (from != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/v1/chargers/%s/chain?from=%s&limit=1000", code,
                                               from);
      g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
      JsonObject *page = json_node_get_object (root);
      JsonArray *records = json_object_get_array_member (page, "records");

      for (guint i = 0; i < json_array_get_length (records); i++)
        {
          JsonObject *record = json_array_get_object_element (records, i);
          JsonObject *inspection;

          if (g_strcmp0 (json_object_get_string_member (record, "kind"), "inspection") != 0)
            continue;
          inspection = json_object_get_object_member (record, "inspection");
          if (g_strcmp0 (json_object_get_string_member_with_default (inspection, "idempotency_key",
                                                                     ""),
                         key) == 0)
            n++;
        }
      g_clear_pointer (&from, g_free);
      if (!json_object_get_null_member (page, "next"))
        from = g_strdup (json_object_get_string_member (page, "next"));
    }
  return n;
}

/* Exports ----------------------------------------------------------------- */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Export;

static void
on_bundle_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Export *export = user_data;

  export->ok = anx_evidence_dialog_save_bundle_finish (ANX_EVIDENCE_DIALOG (source), result, &export->error);
  export->done = TRUE;
}

static void
on_pdf_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Export *export = user_data;

  export->ok = anx_evidence_dialog_save_pdf_finish (ANX_EVIDENCE_DIALOG (source), result, &export->error);
  export->done = TRUE;
}

static gboolean
count_tick (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* An export as the dialog runs it: on a worker, the window's main loop
 * going on meanwhile (a 1 ms timeout ticks), a spinner and Cancel shown. */
static gboolean
export_and_wait (AnxEvidenceDialog  *evidence,
                 gboolean            pdf,
                 const char         *path,
                 GError            **error)
{
  GtkWidget *spinner = child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "spinner");
  GtkWidget *cancel = child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "cancel_button");
  Export export = { FALSE, FALSE, NULL };
  guint ticks = 0;
  guint tick_id;
  gboolean busy;
  gint64 start = g_get_monotonic_time ();

  if (pdf)
    anx_evidence_dialog_save_pdf_async (evidence, path, NULL, on_pdf_saved, &export);
  else
    anx_evidence_dialog_save_bundle_async (evidence, path, NULL, on_bundle_saved, &export);
  /* Returned at once: the work goes on elsewhere. */
  g_assert_false (export.done);
  busy = gtk_widget_get_visible (spinner);
  g_assert_true (gtk_widget_get_visible (cancel) == busy);
  tick_id = g_timeout_add (1, count_tick, &ticks);
  while (!export.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
  g_test_message ("export %s: %.1f ms, the main loop ticked %u times meanwhile", path,
                  (g_get_monotonic_time () - start) / 1000.0, ticks);
  if (busy)
    {
      /* The loop ran while the worker did (a tiny export may finish inside
       * the first millisecond: then there was nothing to block). */
      if (g_get_monotonic_time () - start > 20 * 1000)
        g_assert_cmpuint (ticks, >=, 1);
      g_assert_false (gtk_widget_get_visible (spinner));
      g_assert_false (gtk_widget_get_visible (cancel));
    }
  if (export.error != NULL)
    g_propagate_error (error, export.error);
  return export.ok;
}

static int
run_verify (const char *bundle,
            char      **out)
{
  const char *argv[] = { g_getenv ("ANXIN_VERIFY"), "chain", bundle, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (argv[0]);
  process = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (process == NULL)
    g_error ("pdftotext (poppler-utils, build-aux/install-deps.sh test): %s", error->message);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

static void
set_text (gpointer    widget,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child_of (widget, ANX_TYPE_INSPECTION_DIALOG, name)), text);
}

static void
test_inspections (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", anx_test_free_port ());
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "21",
                          "--backfill-days", "1",
                          /* Dense enough that every run, whatever the hour it starts at,
                           * has alarms an inspection answers. */
                          "--anomalies", "over-billing=0.02,amount-manipulation=0.01,seal-opened=0.01",
                          "--speed", "60",
                          "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (test_dir, listen, extra);
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *station = NULL;
  g_autofree char *key = NULL;
  g_autofree char *serial = NULL;
  const char *inspector = "王建国（西湖区市场监管局）";
  GtkWindow *window;
  AnxInspectionsPage *page;
  AnxInspectionDialog *dialog;
  AdwViewStack *views;
  Mark mark = { 0 };

  /* Who the token is: GET /v1/whoami. */
  {
    g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, "/v1/whoami");
    JsonObject *me = json_node_get_object (root);

    g_assert_cmpstr (json_object_get_string_member (me, "name"), ==, "admin");
    g_assert_cmpstr (json_object_get_string_member (me, "role"), ==, "admin");
  }

  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, feedd->token, NULL, &error));
  g_assert_no_error (error);
  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_settings_set_string (anx_application_get_settings (app), "feed-url", feedd->base_url);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ANX_IS_WINDOW (window));
  gtk_window_set_default_size (window, 1280, 800);
  anx_test_wait_for_draw (GTK_WIDGET (window));
  anx_test_run_until (client_live, app, 90, "the console to sync");

  /* An open alarm the chain raised, of a kind an inspection answers. */
  mark.app = app;
  {
    g_autofree char *id = NULL;
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    /* Live means the stream is up; the writer may still be committing the
     * sync's last batches, so wait for the alarm rather than expect it. */
    while ((id = query_text (
                app,
                "SELECT a.id FROM alarms a WHERE a.state = 'open' AND a.kind IN ('energy-mismatch', "
                "'amount-mismatch', 'seal-opened', 'meter-status', 'counter-gap') AND NOT EXISTS "
                "(SELECT 1 FROM records r WHERE r.charger_code = a.charger_code AND NOT r.accepted) "
                "ORDER BY a.kind = 'energy-mismatch' DESC, a.id LIMIT 1",
                0)) == NULL &&
           g_get_monotonic_time () < deadline)
      anx_test_iterate (100);

    if (id == NULL)
      {
        g_autofree char *kinds = query_text (app, "SELECT count(*) || ': ' || group_concat(kind || '/' || state) FROM alarms", 0);
        g_autofree char *records = query_text (app, "SELECT count(*) || ' records, ' || sum(NOT accepted) || ' not accepted' FROM records", 0);

        g_test_message ("no alarm an inspection answers: %s; %s", kinds, records);
      }
    g_assert_nonnull (id);
    mark.alarm_id = g_ascii_strtoll (id, NULL, 10);
  }
  code = query_text (app, "SELECT charger_code FROM alarms WHERE id = ?", mark.alarm_id);
  station = query_text (app, "SELECT s.code FROM stations s JOIN chargers c ON c.station_id = s.id "
                             "JOIN alarms a ON a.charger_code = c.code WHERE a.id = ?",
                        mark.alarm_id);
  serial = query_text (app, "SELECT m.serial FROM meters m JOIN chargers c ON c.meter_id = m.id "
                            "JOIN alarms a ON a.charger_code = c.code WHERE a.id = ?",
                       mark.alarm_id);
  g_test_message ("marking alarm %" G_GINT64_FORMAT " on %s (station %s, meter %s)", mark.alarm_id,
                  code, station, serial);

  /* The worklist: from the alarm's station, the alarm's charger is on it;
   * priorities never go down the list. */
  views = anx_window_get_view_stack (ANX_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "inspections");
  page = ANX_INSPECTIONS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), ANX_TYPE_WINDOW,
                                                               "inspections_page"));
  gtk_editable_set_text (GTK_EDITABLE (child_of (page, ANX_TYPE_INSPECTIONS_PAGE, "origin_entry")),
                         station);
  anx_inspections_page_reload (page);
  /* Every station with coordinates can be picked as the origin. */
  {
    GtkEntry *origin = GTK_ENTRY (child_of (page, ANX_TYPE_INSPECTIONS_PAGE, "origin_entry"));
    GtkTreeModel *stations = gtk_entry_completion_get_model (gtk_entry_get_completion (origin));
    g_autofree char *n = query_text (app, "SELECT count(*) FROM stations WHERE latitude IS NOT NULL",
                                     0);

    g_assert_cmpint (gtk_tree_model_iter_n_children (stations, NULL), ==,
                     g_ascii_strtoll (n, NULL, 10));
    g_assert_cmpint (gtk_tree_model_iter_n_children (stations, NULL), >, 0);
  }
  {
    GListModel *worklist = anx_inspections_page_get_worklist (page);
    gint64 last_priority = 0;
    gboolean found = FALSE;
    g_autofree char *csv_path = g_build_filename (test_dir, "worklist.csv", NULL);
    g_autofree char *csv = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (worklist), >, 0);
    for (guint i = 0; i < g_list_model_get_n_items (worklist); i++)
      {
        g_autoptr(AnxStoreItem) item = g_list_model_get_item (worklist, i);
        gint64 priority = anx_store_item_get_int (item, "priority");

        g_assert_cmpint (priority, >=, last_priority);
        last_priority = priority;
        if (g_strcmp0 (anx_store_item_get_key (item), code) == 0)
          {
            found = TRUE;
            /* Measured from its own station. */
            g_assert_cmpfloat (anx_store_item_get_double (item, "distance_m"), <, 1.0);
            g_assert_cmpfloat (anx_store_item_get_double (item, "distance_m"), >=, 0.0);
          }
      }
    g_assert_true (found);
    g_test_message ("worklist: %u chargers", g_list_model_get_n_items (worklist));
    g_assert_true (anx_inspections_page_export_worklist (page, csv_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    g_assert_true (g_str_has_prefix (csv, BOM));
    g_assert_nonnull (strstr (csv, code));
  }
  anx_test_iterate (300);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (views), ==, "inspections");
  screenshot (window, "inspections-worklist");

  /* While the server is up, the form takes the inspector from the token
   * (GET /v1/whoami). */
  {
    AnxInspectionDialog *form = NULL;
    GList *toplevels;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mark-inspection", "s",
                                               code));
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ANX_IS_INSPECTION_DIALOG (l->data))
        form = l->data;
    g_list_free (toplevels);
    g_assert_nonnull (form);
    anx_test_run_until (inspector_filled, form, 10, "the inspector from /v1/whoami");
    gtk_window_destroy (GTK_WINDOW (form));
    anx_test_iterate (100);
  }

  /* A viewer's token may not mark inspections: the form says so at once
   * (the feed would refuse the mark with 403 and it would wait for ever). */
  {
    const char *viewer = "anx_viewer_token_for_the_inspections_test";
    g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, viewer, -1);
    g_autofree char *tokens_path = g_build_filename (test_dir, "tokens", NULL);
    g_autofree char *tokens_text = NULL;
    g_autofree char *more = NULL;
    AnxInspectionDialog *form;

    g_assert_true (g_file_get_contents (tokens_path, &tokens_text, NULL, NULL));
    more = g_strdup_printf ("%s\nviewer:wall-1:%s\n", tokens_text, hash);
    g_assert_true (g_file_set_contents (tokens_path, more, -1, NULL));
    form = anx_inspection_dialog_new (window, anx_application_get_store (app),
                                      anx_application_get_outbox (app), NULL, code, 0);
    /* The server re-reads its tokens within a second or two. */
    for (guint attempt = 0; attempt < 20; attempt++)
      {
        anx_inspection_dialog_set_feed (form, feedd->base_url, viewer);
        anx_test_iterate (500);
        if (gtk_widget_get_visible (child_of (form, ANX_TYPE_INSPECTION_DIALOG, "role_error")))
          break;
      }
    g_assert_true (gtk_widget_get_visible (child_of (form, ANX_TYPE_INSPECTION_DIALOG, "role_error")));
    set_text (form, "inspector_row", inspector);
    gtk_widget_activate_action (GTK_WIDGET (form), "inspection.submit", NULL);
    anx_test_iterate (200);
    g_assert_null (anx_inspection_dialog_get_key (form));
    g_assert_cmpint (anx_store_count (anx_application_get_store (app), "inspections"), ==, 0);
    gtk_window_destroy (GTK_WINDOW (form));
  }

  /* The server goes down. */
  anx_test_feedd_kill (feedd);
  anx_test_run_until (client_not_live, app, 40, "the client to leave live");

  /* The form, from the alarm. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mark-inspection-for-alarm",
                                             "x", mark.alarm_id));
  anx_test_iterate (300);
  dialog = NULL;
  {
    GList *toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ANX_IS_INSPECTION_DIALOG (l->data))
        dialog = l->data;
    g_list_free (toplevels);
  }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (anx_inspection_dialog_get_charger (dialog), ==, code);
  mark.dialog = dialog;
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, 760);

  /* Bad input: explained under each field, nothing kept. */
  set_text (dialog, "inspector_row", inspector);
  set_text (dialog, "error_row", "1.2.3");
  set_text (dialog, "removed_row", "HZ SEAL#1");
  set_text (dialog, "time_row", "2099-01-01 08:00");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "inspection.submit", NULL));
  anx_test_iterate (200);
  g_assert_null (anx_inspection_dialog_get_key (dialog));
  g_assert_true (
      gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "error_error")));
  g_assert_true (
      gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "removed_error")));
  g_assert_true (
      gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "time_error")));
  g_assert_false (
      gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "inspector_error")));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                                child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "removed_error"))),
                            "SEAL#1"));
  g_assert_cmpint (anx_store_count (anx_application_get_store (app), "inspections"), ==, 0);
  screenshot (GTK_WINDOW (dialog), "inspection-form-invalid");

  /* Good input: kept, pending while the server is down. */
  {
    g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
    g_autoptr(GDateTime) now = g_date_time_new_now (zone);
    g_autoptr(GDateTime) earlier = g_date_time_add_minutes (now, -30);
    g_autofree char *when = g_date_time_format (earlier, "%Y-%m-%d %H:%M");

    set_text (dialog, "time_row", when);
  }
  set_text (dialog, "error_row", "+1.80");
  /* Editing a field takes its complaint away. */
  g_assert_false (gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "error_error")));
  g_assert_false (gtk_widget_get_visible (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "time_error")));
  set_text (dialog, "removed_row", "HZ-SEAL-0099812");
  set_text (dialog, "applied_row", "HZ-SEAL-0100230, HZ-SEAL-0100231");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (
                                child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "notes_view"))),
                            "现场检定：误差 +1.80 %，已重新施封。", -1);
  adw_combo_row_set_selected (
      ADW_COMBO_ROW (child_of (dialog, ANX_TYPE_INSPECTION_DIALOG, "result_row")), 0);
  screenshot (GTK_WINDOW (dialog), "inspection-form");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "inspection.submit", NULL));
  anx_test_run_until (dialog_pending, &mark, 10, "the mark to be kept");
  key = g_strdup (anx_inspection_dialog_get_key (dialog));
  g_assert_nonnull (key);
  g_assert_cmpstr (g_settings_get_string (anx_application_get_settings (app), "inspector-name"), ==,
                   inspector);
  anx_test_iterate (2000);
  g_assert_cmpstr (anx_inspection_dialog_get_state (dialog), ==, ANX_OUTBOX_PENDING);
  screenshot (GTK_WINDOW (dialog), "inspection-pending");

  /* The server comes back on the same port and ledger: delivered once, the
   * record comes back through the feed and closes the alarm. */
  anx_test_feedd_free (g_steal_pointer (&feedd));
  feedd = anx_test_feedd_start (test_dir, listen, extra);
  anx_test_run_until (delivered_and_closed, &mark, 90, "the mark to be delivered and the alarm to close");
  g_assert_cmpuint (count_server_marks (feedd, code, key), ==, 1);
  {
    g_autofree char *sequence = query_text (app, "SELECT sequence FROM inspections WHERE "
                                                 "idempotency_key = (SELECT idempotency_key FROM "
                                                 "inspections LIMIT 1)", 0);
    g_autofree char *closed_by = query_text (app, "SELECT inspection_key FROM alarms WHERE id = ?",
                                             mark.alarm_id);

    g_assert_nonnull (sequence);
    g_assert_cmpstr (closed_by, ==, key);
    g_test_message ("delivered once, record %s; alarm closed", sequence);
  }
  /* Sent again (a lost answer, a crash): still one record on the server. */
  anx_test_iterate (1500);
  g_assert_cmpuint (count_server_marks (feedd, code, key), ==, 1);
  g_assert_cmpint (anx_outbox_count (anx_application_get_outbox (app), ANX_OUTBOX_PENDING), ==, 0);
  anx_test_iterate (500);
  screenshot (GTK_WINDOW (dialog), "inspection-delivered");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* The history, and its CSV. */
  {
    GtkStack *pages = GTK_STACK (child_of (page, ANX_TYPE_INSPECTIONS_PAGE, "pages"));
    g_autofree char *csv_path = g_build_filename (test_dir, "history.csv", NULL);
    g_autofree char *csv = NULL;

    gtk_stack_set_visible_child_name (pages, "history");
    g_assert_cmpuint (g_list_model_get_n_items (anx_inspections_page_get_rows (page)), ==, 1);
    g_assert_true (anx_inspections_page_export_history (page, csv_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
    g_assert_true (g_str_has_prefix (csv, BOM));
    g_assert_nonnull (strstr (csv, key));
    g_assert_nonnull (strstr (csv, inspector));
    g_assert_nonnull (strstr (csv, ",\"HZ-SEAL-0100230, HZ-SEAL-0100231\","));
    anx_test_iterate (300);
    screenshot (window, "inspections-history");
    gtk_stack_set_visible_child_name (pages, "worklist");
  }

  /* Evidence: a charger whose chain is clean, exported whole. */
  {
    g_autofree char *clean = query_text (
        app,
        "SELECT charger_code FROM records GROUP BY charger_code HAVING sum(n_findings) = 0 AND "
        "min(accepted) = 1 AND sum(kind = 'charge') >= 2 ORDER BY charger_code LIMIT 1",
        0);
    g_autofree char *bundle_path = g_build_filename (test_dir, "evidence.json", NULL);
    g_autofree char *tampered_path = g_build_filename (test_dir, "evidence-tampered.json", NULL);
    g_autofree char *out = NULL;
    g_autofree char *text = NULL;
    gsize length = 0;
    AnxEvidenceDialog *evidence;
    char *p;

    g_assert_nonnull (clean);
    g_assert_true (
        gtk_widget_activate_action (GTK_WIDGET (window), "win.export-evidence", "s", clean));
    anx_test_iterate (300);
    evidence = NULL;
    {
      GList *toplevels = gtk_window_list_toplevels ();

      for (GList *l = toplevels; l != NULL; l = l->next)
        if (ANX_IS_EVIDENCE_DIALOG (l->data))
          evidence = l->data;
      g_list_free (toplevels);
    }
    g_assert_nonnull (evidence);
    screenshot (GTK_WINDOW (evidence), "evidence-dialog");
    /* Cancel at once: no bundle left behind (unless the worker was done
     * first), and the dialog ready for the next export. */
    {
      g_autofree char *cancelled_path = g_build_filename (test_dir, "evidence-cancelled.json", NULL);
      Export export = { FALSE, FALSE, NULL };

      anx_evidence_dialog_save_bundle_async (evidence, cancelled_path, NULL, on_bundle_saved, &export);
      g_assert_true (gtk_widget_get_visible (child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "spinner")));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (evidence), "evidence.cancel", NULL));
      while (!export.done)
        g_main_context_iteration (NULL, TRUE);
      if (!export.ok)
        {
          g_assert_error (export.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));
          g_clear_error (&export.error);
        }
      g_test_message ("export cancelled: %s", export.ok ? "finished first" : "yes");
      g_assert_false (gtk_widget_get_visible (child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "spinner")));
    }
    g_assert_true (export_and_wait (evidence, FALSE, bundle_path, &error));
    g_assert_no_error (error);
    g_assert_cmpint (run_verify (bundle_path, &out), ==, 0);
    g_test_message ("anxin-verify chain %s: %s", clean, out);

    /* One byte changed in a billed energy: exit status 1, the chain is not valid. */
    g_assert_true (g_file_get_contents (bundle_path, &text, &length, NULL));
    p = strstr (text, "\"billed_wh\"");
    g_assert_nonnull (p);
    while (!g_ascii_isdigit (*p))
      p++;
    while (g_ascii_isdigit (p[1]))
      p++;
    *p = *p == '9' ? '8' : *p + 1;
    g_assert_true (g_file_set_contents (tampered_path, text, (gssize) length, NULL));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_verify (tampered_path, &out), ==, 1);

    /* A range of sequence numbers links to the record before it; nonsense
     * is explained next to the range. */
    {
      g_autofree char *range_path = g_build_filename (test_dir, "evidence-range.json", NULL);
      g_autoptr(AnxEvidenceBundle) range = NULL;
      GtkWidget *from = child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "from_row");
      GtkWidget *to = child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "to_row");
      GtkWidget *range_error = child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "range_error");

      adw_combo_row_set_selected (
          ADW_COMBO_ROW (child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "range_row")), 1);
      g_assert_true (gtk_widget_get_visible (from));
      gtk_editable_set_text (GTK_EDITABLE (from), "one");
      gtk_editable_set_text (GTK_EDITABLE (to), "1");
      g_assert_false (export_and_wait (evidence, FALSE, range_path, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_true (gtk_widget_get_visible (range_error));
      screenshot (GTK_WINDOW (evidence), "evidence-dialog-range-invalid");

      gtk_editable_set_text (GTK_EDITABLE (from), "1");
      gtk_editable_set_text (GTK_EDITABLE (to), "1");
      g_assert_true (export_and_wait (evidence, FALSE, range_path, &error));
      g_assert_no_error (error);
      g_assert_false (gtk_widget_get_visible (range_error));
      range = anx_evidence_bundle_new_from_file (range_path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (anx_evidence_bundle_get_from_sequence (range), ==, 1);
      g_assert_cmpuint (anx_evidence_bundle_get_records (range)->len, ==, 1);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_verify (range_path, &out), ==, 0);

      /* Dates: today and yesterday in China Standard Time hold the records. */
      {
        g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
        g_autoptr(GDateTime) now = g_date_time_new_now (zone);
        g_autoptr(GDateTime) before = g_date_time_add_days (now, -3);
        g_autofree char *first = g_date_time_format (before, "%Y-%m-%d");
        g_autofree char *last = g_date_time_format (now, "%Y-%m-%d");

        adw_combo_row_set_selected (
            ADW_COMBO_ROW (child_of (evidence, ANX_TYPE_EVIDENCE_DIALOG, "range_row")), 2);
        gtk_editable_set_text (GTK_EDITABLE (from), first);
        gtk_editable_set_text (GTK_EDITABLE (to), last);
        g_assert_true (export_and_wait (evidence, FALSE, range_path, &error));
        g_assert_no_error (error);
        g_clear_pointer (&out, g_free);
        g_assert_cmpint (run_verify (range_path, &out), ==, 0);
      }
    }
    gtk_window_destroy (GTK_WINDOW (evidence));
  }

  /* The report of the inspected charger, as PDF, read back. */
  {
    g_autofree char *pdf_path = g_build_filename (test_dir, "report.pdf", NULL);
    g_autofree char *bundle_path = g_build_filename (test_dir, "inspected.json", NULL);
    g_autoptr(AnxEvidenceDialog) evidence = g_object_ref_sink (
        anx_evidence_dialog_new (window, anx_application_get_store (app), code));
    g_autoptr(AnxEvidenceBundle) bundle = NULL;
    g_autofree char *text = NULL;
    g_autofree char *count = NULL;
    g_autofree char *flat = NULL;

    g_assert_true (export_and_wait (evidence, FALSE, bundle_path, &error));
    g_assert_no_error (error);
    g_assert_true (export_and_wait (evidence, TRUE, pdf_path, &error));
    g_assert_no_error (error);
    bundle = anx_evidence_bundle_new_from_file (bundle_path, &error);
    g_assert_no_error (error);
    text = pdf_text (pdf_path);
    /* Kept beside the screenshots, to look at. */
    if (g_getenv ("ANXIN_SCREENSHOT_DIR") != NULL)
      {
        g_autofree char *name = g_strdup_printf ("evidence-report-%s.pdf",
                                                 anx_test_language_is_chinese () ? "zh_CN" : "en");
        g_autofree char *copy = g_build_filename (g_getenv ("ANXIN_SCREENSHOT_DIR"), name, NULL);
        g_autofree char *bytes = NULL;
        gsize size = 0;

        g_assert_true (g_file_get_contents (pdf_path, &bytes, &size, NULL));
        g_assert_true (g_file_set_contents (copy, bytes, (gssize) size, NULL));
      }
    g_test_message ("report: %zu characters of text", strlen (text));
    g_assert_nonnull (strstr (text, code));
    g_assert_nonnull (strstr (text, serial));
    count = g_strdup_printf ("%u", anx_evidence_bundle_get_records (bundle)->len);
    g_assert_nonnull (strstr (text, count));
    g_assert_nonnull (strstr (text, "+1.80"));
    g_assert_nonnull (strstr (text, "HZ-SEAL-0099812"));
    /* pdftotext may break lines anywhere in a long name: compare without them. */
    flat = g_strdup (text);
    g_strdelimit (flat, "\n", ' ');
    g_assert_nonnull (strstr (flat, "王建国"));
    /* In the UI language. */
    g_assert_nonnull (strstr (text, _("Metrology Evidence Report")));
    g_assert_nonnull (strstr (text, _("Inspections")));
    gtk_window_destroy (GTK_WINDOW (evidence));
  }

  /* A mark the server refuses (a charger it does not know): the form says
   * so, with the server's reason. */
  {
    AnxInspectionDialog *refused = anx_inspection_dialog_new (
        window, anx_application_get_store (app), anx_application_get_outbox (app),
        anx_application_get_settings (app), "330100-9999-XX99", 0);
    Mark rejected = { app, refused, 0 };
    GtkWidget *status;

    gtk_window_set_default_size (GTK_WINDOW (refused), 560, 760);
    gtk_window_present (GTK_WINDOW (refused));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (refused), "inspection.submit", NULL));
    anx_test_run_until (was_rejected, &rejected, 60, "the server to refuse the mark");
    status = child_of (refused, ANX_TYPE_INSPECTION_DIALOG, "status_page");
    g_test_message ("rejected: %s", adw_status_page_get_description (ADW_STATUS_PAGE (status)));
    g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), "charger"));
    screenshot (GTK_WINDOW (refused), "inspection-rejected");
    gtk_window_destroy (GTK_WINDOW (refused));
  }

  gtk_window_destroy (window);
  anx_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before anything touches libsecret. */
  test_dir = anx_test_console_dir_new ("anxin-inspections-XXXXXX");

  anx_test_display_init (&argc, &argv);
  g_test_add_func ("/console/inspections", test_inspections);
  status = g_test_run ();

  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}
