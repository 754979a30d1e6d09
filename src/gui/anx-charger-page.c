/* anx-charger-page.c: one charger, its meter, alarms and chain history
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The officer's drill-down: the charger's registry entry, its meter (key
 * fingerprint, verification dates, seals), its open alarms, the chart of
 * billed/metered energy of the newest sessions (computed in a thread: it
 * parses the signed data of each), and the whole chain, newest first, paged
 * from the store by AnxChainModel. Activating a record opens its detail.
 */

#define G_LOG_DOMAIN "anx-charger-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "anx-alarm-rules.h"
#include "anx-chain-model.h"
#include "anx-chain-row.h"
#include "anx-charger-info.h"
#include "anx-charger-page.h"
#include "anx-display-zone.h"

struct _AnxChargerPage
{
  GtkWidget parent_instance;

  AnxStore *store;
  char *code;
  AnxChainModel *chain;
  AnxChargerInfo *info;
  AnxDisplayZone *display_zone;
  GTimeZone *zone;
  GHashTable *rows; /* bound chain row → its item */
  GCancellable *cancellable;
  gboolean loading;
  guint start_id;
  gulong changed_id;

  /* Template widgets */
  GtkWidget *root;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkButton *inspect_button;
  GtkButton *export_button;
  GtkListBox *identity_list;
  GtkListBox *meter_list;
  GtkListBox *alarms_list;
  GtkLabel *summary_label;
  AnxRatioChart *chart;
  GtkLabel *count_label;
  GtkListView *chain_view;
};

G_DEFINE_FINAL_TYPE (AnxChargerPage, anx_charger_page, GTK_TYPE_WIDGET)

typedef struct
{
  char *path;
  char *code;
} RatioJob;

/* What the thread reads: the chart's points and the seals' states. */
typedef struct
{
  GArray *points;
  AnxChargerInfo *info;
} RatioResult;

static void
ratio_job_free (gpointer data)
{
  RatioJob *job = data;

  g_free (job->path);
  g_free (job->code);
  g_free (job);
}

static void
ratio_result_free (gpointer data)
{
  RatioResult *result = data;

  g_clear_pointer (&result->points, g_array_unref);
  g_clear_pointer (&result->info, anx_charger_info_free);
  g_free (result);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
add_field (GtkListBox *list,
           const char *title,
           const char *value,
           const char *css)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value != NULL && *value != '\0' ? value : "—");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (label, TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  g_object_set_data_full (G_OBJECT (row), "anx-value", g_strdup (gtk_label_get_text (GTK_LABEL (label))), g_free);
  gtk_list_box_append (list, row);
  return row;
}

static const char *
state_title (const char *status)
{
  if (g_strcmp0 (status, "charging") == 0)
    return _("Charging");
  if (g_strcmp0 (status, "available") == 0)
    return _("Available");
  if (g_strcmp0 (status, "offline") == 0)
    return _("Offline");
  if (g_strcmp0 (status, "fault") == 0)
    return _("Fault");
  return _("Unknown");
}

static const char *
seal_action_title (AnxChargerInfo *info,
                   const char     *action)
{
  if (!info->seals_checked)
    return _("reading the chain…");
  if (action == NULL)
    return _("intact (no seal event recorded)");
  if (g_str_equal (action, "opened"))
    return _("opened");
  if (g_str_equal (action, "closed"))
    return _("closed");
  if (g_str_equal (action, "applied"))
    return _("applied");
  if (g_str_equal (action, "removed"))
    return _("removed");
  return action;
}

static char *
format_time_us (AnxChargerPage *self,
                gint64          time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, self->zone) : NULL;

  return local != NULL ? g_date_time_format (local, "%x %X") : g_strdup ("—");
}

/* "YYYY-MM-DD" as a date in the user's locale. */
static char *
format_date (const char *text)
{
  int y, m, d;
  g_autoptr(GDateTime) date = NULL;

  if (text == NULL || sscanf (text, "%d-%d-%d", &y, &m, &d) != 3 ||
      (date = g_date_time_new_utc (y, m, d, 0, 0, 0)) == NULL)
    return g_strdup (text);
  return g_date_time_format (date, "%x");
}

static void
render_info (AnxChargerPage *self)
{
  AnxChargerInfo *info = self->info;
  g_autofree char *subtitle = NULL;
  g_autofree char *power = NULL;
  g_autofree char *station = NULL;

  clear_list (self->identity_list);
  clear_list (self->meter_list);
  clear_list (self->alarms_list);
  gtk_label_set_text (self->title_label, self->code);
  if (info == NULL)
    {
      gtk_label_set_text (self->subtitle_label, _("This charger is not in the registry"));
      return;
    }

  subtitle = g_strdup_printf ("%s · %s", info->station_name != NULL ? info->station_name : "—",
                              info->operator_name != NULL ? info->operator_name : "—");
  gtk_label_set_text (self->subtitle_label, subtitle);

  add_field (self->identity_list, _("ID"), info->code, "monospace");
  station = g_strdup_printf ("%s (%s)", info->station_name != NULL ? info->station_name : "—",
                             info->station_code != NULL ? info->station_code : "—");
  add_field (self->identity_list, _("Station"), station, NULL);
  add_field (self->identity_list, _("Operator"), info->operator_name, NULL);
  add_field (self->identity_list, _("Type"),
             g_strcmp0 (info->current, "AC") == 0   ? _("AC")
             : g_strcmp0 (info->current, "DC") == 0 ? _("DC")
                                                    : info->current,
             NULL);
  /* Translators: rated power of a charger */
  power = g_strdup_printf (_("%.1f kW"), info->rated_power_w / 1000.0);
  add_field (self->identity_list, _("Rated power"), power, "numeric");
  add_field (self->identity_list, _("State"), state_title (info->status),
             g_strcmp0 (info->status, "fault") == 0 ? "error" : NULL);

  if (!info->has_meter)
    add_field (self->meter_list, _("Meter"), _("No meter registered"), "error");
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
      g_autofree char *class_number = g_strdup_printf ("%" G_GINT64_FORMAT, info->accuracy_class);
      /* Translators: a meter's accuracy class and the error it allows */
      g_autofree char *class_text = g_strdup_printf (_("Class %1$s (±%2$.1f %%)"), class_number,
                                                     info->tolerance_bp / 100.0);
      g_autofree char *fingerprint = anx_charger_info_group_fingerprint (info->fingerprint);
      g_autofree char *model = g_strdup_printf ("%s %s", info->meter_manufacturer != NULL ? info->meter_manufacturer : "",
                                                info->meter_model != NULL ? info->meter_model : "");
      g_autofree char *first = format_date (info->first_verification);
      g_autofree char *due = format_date (info->rotation_due);
      gboolean overdue = anx_charger_info_rotation_overdue (info, now);

      add_field (self->meter_list, _("Serial"), info->meter_serial, "monospace");
      add_field (self->meter_list, _("Model"), g_strstrip (model), NULL);
      add_field (self->meter_list, _("Accuracy class"), class_text, NULL);
      add_field (self->meter_list, _("Signature algorithm"), info->algorithm, NULL);
      add_field (self->meter_list, _("Public key (SHA-256)"),
                 info->fingerprint != NULL ? fingerprint : _("No registered key"),
                 info->fingerprint != NULL ? "monospace" : "error");
      add_field (self->meter_list, _("First verification"), first, NULL);
      if (overdue)
        {
          /* Translators: %s is the date the meter's rotation was due */
          g_autofree char *text = g_strdup_printf (_("%s — overdue"), due);

          add_field (self->meter_list, _("Rotation due"), text, "error");
        }
      else
        add_field (self->meter_list, _("Rotation due"), due, NULL);
      for (guint i = 0; i < info->seals->len; i++)
        {
          AnxSealState *seal = info->seals->pdata[i];
          g_autofree char *title = g_strdup_printf (g_str_equal (seal->kind, "physical")
                                                        ? _("Physical seal %s")
                                                        : _("Electronic seal %s"),
                                                    seal->seal_id);
          g_autofree char *when = seal->last_action != NULL ? format_time_us (self, seal->last_action_us) : NULL;
          g_autofree char *state = when != NULL ? g_strdup_printf ("%s · %s", seal_action_title (info, seal->last_action), when)
                                                : g_strdup (seal_action_title (info, seal->last_action));

          add_field (self->meter_list, title, state,
                     g_strcmp0 (seal->last_action, "opened") == 0 ||
                             g_strcmp0 (seal->last_action, "removed") == 0
                         ? "error"
                         : NULL);
        }
    }

  if (info->alarms->len == 0)
    add_field (self->alarms_list, _("No open alarms"), NULL, "dim-label");
  for (guint i = 0; i < info->alarms->len; i++)
    {
      AnxChargerAlarm *alarm = info->alarms->pdata[i];
      g_autofree char *description = anx_alarm_describe_json (alarm->kind, alarm->evidence);
      g_autofree char *raised = format_time_us (self, alarm->raised_at_us);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *time = gtk_label_new (raised);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), anx_alarm_kind_get_title (alarm->kind));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      gtk_widget_add_css_class (time, "dim-label");
      gtk_widget_add_css_class (time, "caption");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), time);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      /* The row opens the alarm in the alarms view (the map follows it). */
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.show-alarm");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), g_variant_new_int64 (alarm->id));
      if (g_strcmp0 (alarm->severity, "critical") == 0)
        gtk_widget_add_css_class (row, "error");
      gtk_list_box_append (self->alarms_list, row);
    }
}

static void
update_count (AnxChargerPage *self)
{
  guint n = self->chain != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->chain)) : 0;
  /* Translators: how many records a charger's chain holds */
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record, newest first",
                                                        "%u records, newest first", n),
                                           n);

  gtk_label_set_text (self->count_label, text);
}

static void
load_ratios_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RatioJob *job = task_data;
  sqlite3 *db = NULL;
  RatioResult *result = g_new0 (RatioResult, 1);

  if (sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      ratio_result_free (result);
      g_task_return_new_error (task, ANX_STORE_ERROR, ANX_STORE_ERROR_SQLITE,
                               _("The store could not be opened"));
      return;
    }
  sqlite3_busy_timeout (db, 5000);
  result->points = anx_charger_info_load_ratios (db, job->code, ANX_CHARGER_PAGE_CHART_POINTS);
  result->info = anx_charger_info_load (db, job->code, NULL);
  if (result->info != NULL)
    anx_charger_info_load_seal_states (result->info, db);
  sqlite3_close (db);
  g_task_return_pointer (task, result, ratio_result_free);
}

static void
update_summary (AnxChargerPage *self)
{
  guint n = anx_ratio_chart_get_n_points (self->chart);
  guint outside = anx_ratio_chart_get_n_outside (self->chart);
  guint tolerance = self->info != NULL ? self->info->tolerance_bp : 0;
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("No charge records with signed readings"));
  else
    {
      /* Translators: the newest sessions; how many outside the tolerance;
       * the tolerance in percent */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Newest %1$u session: %2$u outside ±%3$.1f %%",
                                           "Newest %1$u sessions: %2$u outside ±%3$.1f %%", n),
                              n, outside, tolerance / 100.0);
    }
  gtk_label_set_text (self->summary_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
  if (outside > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
}

static void
on_ratios_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  RatioResult *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  AnxChargerPage *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = ANX_CHARGER_PAGE (source);
  self->loading = FALSE;
  if (loaded == NULL)
    g_warning ("Chart of %s: %s", self->code, error->message);
  if (loaded != NULL && loaded->info != NULL && self->info != NULL)
    {
      anx_charger_info_copy_seal_states (self->info, loaded->info);
      render_info (self);
    }
  anx_ratio_chart_set_points (self->chart, loaded != NULL ? loaded->points : NULL,
                              self->info != NULL ? self->info->tolerance_bp : 0);
  g_clear_pointer (&loaded, ratio_result_free);
  update_summary (self);
}

static gboolean
start_loading_ratios (gpointer user_data)
{
  AnxChargerPage *self = user_data;
  g_autoptr(GTask) task = NULL;
  RatioJob *job;

  self->start_id = 0;
  job = g_new0 (RatioJob, 1);
  job->path = g_strdup (anx_store_get_path (self->store));
  job->code = g_strdup (self->code);
  task = g_task_new (self, self->cancellable, on_ratios_loaded, NULL);
  g_task_set_source_tag (task, start_loading_ratios);
  g_task_set_task_data (task, job, ratio_job_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_ratios_thread);
  return G_SOURCE_REMOVE;
}

/* The thread starts once the page is painted: on a busy machine it would
 * otherwise take the CPU the first frame needs. */
static void
load_ratios (AnxChargerPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  g_clear_handle_id (&self->start_id, g_source_remove);
  self->start_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, start_loading_ratios, self, NULL);
}

static void
on_store_changed (AnxStore *store,
                  guint     changes,
                  gpointer  user_data)
{
  AnxChargerPage *self = user_data;

  if ((changes & (ANX_STORE_CHANGED_ALARMS | ANX_STORE_CHANGED_REGISTRY |
                  ANX_STORE_CHANGED_CHARGERS)) != 0 && self->code != NULL)
    {
      AnxChargerInfo *info = anx_charger_info_load (anx_store_get_read_db (store), self->code, NULL);

      if (info != NULL)
        anx_charger_info_copy_seal_states (info, self->info);
      g_clear_pointer (&self->info, anx_charger_info_free);
      self->info = info;
      render_info (self);
    }
  if ((changes & ANX_STORE_CHANGED_RECORDS) != 0)
    update_count (self);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, anx_chain_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  AnxChargerPage *self = user_data;

  anx_chain_row_set_item (ANX_CHAIN_ROW (gtk_list_item_get_child (item)),
                          gtk_list_item_get_item (item), self->zone,
                          self->info != NULL ? self->info->tolerance_bp : 0);
  g_hash_table_insert (self->rows, gtk_list_item_get_child (item), gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  AnxChargerPage *self = user_data;

  g_hash_table_remove (self->rows, gtk_list_item_get_child (item));
}

static void
on_row_activated (GtkListView *view,
                  guint        position,
                  gpointer     user_data)
{
  AnxChargerPage *self = user_data;
  AnxRecordDetail *detail = anx_charger_page_open_record (self, position);

  if (detail != NULL)
    gtk_window_present (GTK_WINDOW (detail));
}

static void
on_zone_changed (AnxChargerPage *self)
{
  GHashTableIter iter;
  gpointer row;
  gpointer item;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  if (self->info != NULL)
    render_info (self);
  /* The chain's bound rows, in the new zone (the others as they are bound). */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &row, &item))
    anx_chain_row_set_item (ANX_CHAIN_ROW (row), item, self->zone,
                            self->info != NULL ? self->info->tolerance_bp : 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static void
anx_charger_page_dispose (GObject *object)
{
  AnxChargerPage *self = ANX_CHARGER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->start_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_CHARGER_PAGE);
  g_clear_object (&self->chain);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (anx_charger_page_parent_class)->dispose (object);
}

static void
anx_charger_page_finalize (GObject *object)
{
  AnxChargerPage *self = ANX_CHARGER_PAGE (object);

  g_clear_pointer (&self->info, anx_charger_info_free);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_object (&self->display_zone);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_free (self->code);

  G_OBJECT_CLASS (anx_charger_page_parent_class)->finalize (object);
}

static void
anx_charger_page_class_init (AnxChargerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_charger_page_dispose;
  object_class->finalize = anx_charger_page_finalize;

  g_type_ensure (ANX_TYPE_RATIO_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-charger-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, root);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, inspect_button);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, identity_list);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, meter_list);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, alarms_list);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, chart);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AnxChargerPage, chain_view);
}

static void
anx_charger_page_init (AnxChargerPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new (NULL, NULL);
  self->display_zone = anx_display_zone_dup_default ();
  self->zone = g_time_zone_ref (anx_display_zone_get_zone (self->display_zone));
  g_signal_connect_object (self->display_zone, "changed", G_CALLBACK (on_zone_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->chain_view, factory);
  g_signal_connect (self->chain_view, "activate", G_CALLBACK (on_row_activated), self);
}

/**
 * anx_charger_page_set_charger:
 * @self: a page
 * @store: the store
 * @code: the charger's code
 *
 * Shows @code: its registry entry at once, its chain as the view scrolls,
 * its chart when the thread reading it is done.
 */
void
anx_charger_page_set_charger (AnxChargerPage *self,
                              AnxStore       *store,
                              const char     *code)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) target = NULL;

  g_return_if_fail (ANX_IS_CHARGER_PAGE (self));
  g_return_if_fail (ANX_IS_STORE (store));
  g_return_if_fail (code != NULL);

  if (self->store != store)
    {
      if (self->store != NULL)
        g_clear_signal_handler (&self->changed_id, self->store);
      g_set_object (&self->store, store);
      self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
    }
  g_free (self->code);
  self->code = g_strdup (code);
  g_clear_pointer (&self->info, anx_charger_info_free);
  self->info = anx_charger_info_load (anx_store_get_read_db (store), code, &error);
  if (self->info == NULL)
    g_debug ("%s", error->message);
  render_info (self);

  /* Our own reference: GTK consumes a floating value it finds equal to the
   * button's current one, and the second button would get a freed one. */
  target = g_variant_ref_sink (g_variant_new_string (code));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->inspect_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->export_button), target);

  g_clear_object (&self->chain);
  self->chain = anx_chain_model_new (store, code);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->chain)));
  gtk_list_view_set_model (self->chain_view, GTK_SELECTION_MODEL (selection));
  update_count (self);

  anx_ratio_chart_set_points (self->chart, NULL, self->info != NULL ? self->info->tolerance_bp : 0);
  gtk_label_set_text (self->summary_label, _("Reading the signed data of the newest sessions…"));
  load_ratios (self);
}

/**
 * anx_charger_page_get_charger:
 * @self: a page
 *
 * Returns: (nullable): the charger shown
 */
const char *
anx_charger_page_get_charger (AnxChargerPage *self)
{
  return self->code;
}

/**
 * anx_charger_page_get_chain:
 * @self: a page
 *
 * Returns: (transfer none) (nullable): the chain shown, newest first
 */
GListModel *
anx_charger_page_get_chain (AnxChargerPage *self)
{
  return G_LIST_MODEL (self->chain);
}

/**
 * anx_charger_page_get_chart:
 * @self: a page
 *
 * Returns: (transfer none): the ratio chart
 */
AnxRatioChart *
anx_charger_page_get_chart (AnxChargerPage *self)
{
  return self->chart;
}

/**
 * anx_charger_page_is_loading:
 * @self: a page
 *
 * Returns: whether the chart's data is still being read
 */
gboolean
anx_charger_page_is_loading (AnxChargerPage *self)
{
  return self->loading;
}

/**
 * anx_charger_page_get_summary:
 * @self: a page
 *
 * Returns: the line above the chart
 */
const char *
anx_charger_page_get_summary (AnxChargerPage *self)
{
  return gtk_label_get_text (self->summary_label);
}

static void
append_list_text (GString    *out,
                  GtkListBox *list)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *subtitle = ADW_IS_ACTION_ROW (row) ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
      const char *value = g_object_get_data (G_OBJECT (row), "anx-value");

      g_string_append_printf (out, "%s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
      if (value != NULL)
        g_string_append_printf (out, ": %s", value);
      if (subtitle != NULL)
        g_string_append_printf (out, ": %s", subtitle);
      g_string_append_c (out, '\n');
    }
}

/**
 * anx_charger_page_describe:
 * @self: a page
 *
 * Returns: (transfer full): the titles and subtitles of the identity,
 *   meter and alarm rows, one a line (for tests and the accessibility
 *   walkthrough)
 */
char *
anx_charger_page_describe (AnxChargerPage *self)
{
  GString *out = g_string_new (NULL);

  append_list_text (out, self->identity_list);
  append_list_text (out, self->meter_list);
  append_list_text (out, self->alarms_list);
  return g_string_free (out, FALSE);
}

/**
 * anx_charger_page_open_record:
 * @self: a page
 * @position: a position in the chain model
 *
 * Returns: (transfer none) (nullable): a new detail window for the record
 *   (not yet presented)
 */
AnxRecordDetail *
anx_charger_page_open_record (AnxChargerPage *self,
                              guint           position)
{
  g_autoptr(AnxStoreItem) item = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chain == NULL ||
      (item = g_list_model_get_item (G_LIST_MODEL (self->chain), position)) == NULL)
    return NULL;
  return anx_record_detail_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                self->code, anx_store_item_get_int (item, "sequence"),
                                anx_store_item_get_string (item, "hash"));
}
