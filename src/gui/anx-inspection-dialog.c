/* anx-inspection-dialog.c: the form an officer marks an inspection with
 *
 * Date and time (now, in China Standard Time), the inspector (the name of
 * the feed token, GET /v1/whoami, else the name used last), the result, the
 * measured error, the seals removed and applied, and notes. Every field is
 * checked by anx-inspection-input; what is wrong is said under the field.
 * The mark goes to the outbox, and the dialog follows it: waiting, then
 * delivered and appended to the chain, or rejected with the server's reason.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-inspection-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "anx-alarm-rules.h"
#include "anx-application.h"
#include "anx-inspection-dialog.h"
#include "anx-inspection-input.h"
#include "anx-query-model.h"

struct _AnxInspectionDialog
{
  AdwWindow      parent_instance;

  AnxStore      *store;
  AnxOutbox     *outbox;
  GSettings     *settings;
  char          *charger;
  gint64         alarm_id;
  GTimeZone     *zone;
  GCancellable  *cancellable;
  SoupSession   *session;
  AnxQueryModel *inspections;
  char          *key;
  char          *state;
  gboolean       inspector_edited;

  /* Template widgets */
  GtkStack      *stack;
  GtkWidget     *submit_button;
  GtkWidget     *cancel_button;
  AdwActionRow  *charger_row;
  AdwActionRow  *alarm_row;
  AdwEntryRow   *time_row;
  AdwActionRow  *time_error;
  AdwEntryRow   *inspector_row;
  AdwActionRow  *inspector_error;
  AdwActionRow  *role_error;
  AdwComboRow   *result_row;
  AdwEntryRow   *error_row;
  AdwActionRow  *error_error;
  AdwEntryRow   *removed_row;
  AdwActionRow  *removed_error;
  AdwEntryRow   *applied_row;
  AdwActionRow  *applied_error;
  GtkTextView   *notes_view;
  GtkLabel      *notes_error;
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (AnxInspectionDialog, anx_inspection_dialog, ADW_TYPE_WINDOW)

static const AnxInspectionResult results[] = {
  ANX_INSPECTION_RESULT_PASS,           ANX_INSPECTION_RESULT_FAIL,
  ANX_INSPECTION_RESULT_METER_REPLACED, ANX_INSPECTION_RESULT_SEALED,
  ANX_INSPECTION_RESULT_SUSPENDED,
};

/* Shows @message (taken) under the field, or hides it; TRUE if none. */
static gboolean
show_error (GtkWidget   *field,
            GtkWidget   *error_widget,
            char        *message)
{
  g_autofree char *owned = message;

  if (ADW_IS_ACTION_ROW (error_widget))
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_widget), owned != NULL ? owned : "");
  else
    gtk_label_set_label (GTK_LABEL (error_widget), owned != NULL ? owned : "");
  gtk_widget_set_visible (error_widget, owned != NULL);
  if (owned != NULL)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      owned, -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
    }
  return owned == NULL;
}

/* What was wrong with a field no longer holds once it is edited. */
static void
on_field_changed (GtkWidget *field,
                  GtkWidget *error_widget)
{
  show_error (field, error_widget, NULL);
}

static void
on_notes_changed (GtkTextBuffer       *buffer,
                  AnxInspectionDialog *self)
{
  show_error (GTK_WIDGET (self->notes_view), GTK_WIDGET (self->notes_error), NULL);
}

static char *
notes_text (AnxInspectionDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
update_status (AnxInspectionDialog *self)
{
  AnxStoreItem *item;
  const char *delivery;
  g_autofree char *description = NULL;

  if (self->key == NULL || self->inspections == NULL)
    return;
  item = anx_query_model_find (self->inspections, self->key, NULL); /* transfer none */
  if (item == NULL)
    return;
  delivery = anx_store_item_get_string (item, "delivery");
  g_free (self->state);
  if (g_strcmp0 (delivery, ANX_OUTBOX_REJECTED) == 0)
    {
      self->state = g_strdup (ANX_OUTBOX_REJECTED);
      adw_status_page_set_icon_name (self->status_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->status_page, _("Rejected by the Feed"));
      /* Translators: %s is the server's reason, as it gives it */
      description = g_strdup_printf (_("The feed refused the inspection: %s"),
                                     anx_store_item_get_string (item, "last_error"));
    }
  else if (g_strcmp0 (delivery, ANX_OUTBOX_DELIVERED) == 0)
    {
      self->state = g_strdup (ANX_OUTBOX_DELIVERED);
      adw_status_page_set_icon_name (self->status_page, "emblem-ok-symbolic");
      adw_status_page_set_title (self->status_page, _("Inspection Delivered"));
      if (anx_store_item_get_int (item, "sequence") > 0)
        {
          g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                     anx_store_item_get_int (item, "sequence"));

          /* Translators: %1$s is the charger, %2$s the record's number */
          description = g_strdup_printf (_("The feed appended it to the chain of %1$s as record "
                                           "%2$s."),
                                         self->charger, number);
        }
      else
        description = g_strdup (_("The feed stored it; it appears in the chain when the console "
                                  "receives the record."));
    }
  else
    {
      self->state = g_strdup (ANX_OUTBOX_PENDING);
      adw_status_page_set_icon_name (self->status_page, "mail-send-symbolic");
      adw_status_page_set_title (self->status_page, _("Waiting to Be Delivered"));
      description = g_strdup (_("The inspection is kept in this console and is sent as soon as "
                                "the feed is reachable. You can close this window."));
    }
  adw_status_page_set_description (self->status_page, description);
}

static void
on_marked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AnxInspectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = anx_outbox_mark_inspection_finish (ANX_OUTBOX (source), result, &error);

  if (key == NULL)
    {
      AdwMessageDialog *dialog;

      gtk_widget_set_sensitive (self->submit_button, TRUE);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("The Inspection Was Not Kept"),
                                                           error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  self->key = g_steal_pointer (&key);
  /* Kept: nothing to cancel any more, the page has its own Close. */
  gtk_widget_set_visible (self->submit_button, FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "status");
  anx_query_model_reload (self->inspections);
  update_status (self);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AnxInspectionDialog *self = ANX_INSPECTION_DIALOG (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autoptr(GDateTime) time = NULL;
  g_auto(GStrv) removed = NULL;
  g_auto(GStrv) applied = NULL;
  g_autofree char *notes = notes_text (self);
  g_autofree char *inspector =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->inspector_row))));
  gboolean measured = FALSE;
  gint32 error_bp = 0;
  gboolean ok = TRUE;
  guint position;
  AnxInspectionMark mark = { 0 };

  if (self->key != NULL || self->outbox == NULL)
    return;

  ok &=
      show_error (GTK_WIDGET (self->time_row), GTK_WIDGET (self->time_error),
                  anx_inspection_parse_time (gtk_editable_get_text (GTK_EDITABLE (self->time_row)),
                                             self->zone, now, &time));
  ok &= show_error (GTK_WIDGET (self->inspector_row), GTK_WIDGET (self->inspector_error),
                    anx_inspection_check_inspector (inspector));
  ok &= show_error (
      GTK_WIDGET (self->error_row), GTK_WIDGET (self->error_error),
      anx_inspection_parse_error (gtk_editable_get_text (GTK_EDITABLE (self->error_row)), &measured,
                                  &error_bp));
  ok &= show_error (GTK_WIDGET (self->removed_row), GTK_WIDGET (self->removed_error),
                    anx_inspection_parse_seals (
                        gtk_editable_get_text (GTK_EDITABLE (self->removed_row)), &removed));
  ok &= show_error (GTK_WIDGET (self->applied_row), GTK_WIDGET (self->applied_error),
                    anx_inspection_parse_seals (
                        gtk_editable_get_text (GTK_EDITABLE (self->applied_row)), &applied));
  ok &= show_error (GTK_WIDGET (self->notes_view), GTK_WIDGET (self->notes_error),
                    anx_inspection_check_notes (notes));
  if (!ok)
    {
      gtk_widget_error_bell (widget);
      return;
    }

  position = adw_combo_row_get_selected (self->result_row);
  mark.charger = self->charger;
  mark.inspector = inspector;
  mark.result = results[MIN (position, G_N_ELEMENTS (results) - 1)];
  mark.inspected_at = time;
  mark.measured = measured;
  mark.measured_error_bp = error_bp;
  mark.seals_removed = (const char *const *) removed;
  mark.seals_applied = (const char *const *) applied;
  mark.notes = *g_strstrip (notes) != '\0' ? notes : NULL;
  mark.alarm_id = self->alarm_id;

  if (self->settings != NULL)
    g_settings_set_string (self->settings, "inspector-name", inspector);
  gtk_widget_set_sensitive (self->submit_button, FALSE);
  anx_outbox_mark_inspection_async (self->outbox, &mark, on_marked, g_object_ref (self));
}

static void
on_inspector_changed (AnxInspectionDialog *self)
{
  self->inspector_edited = TRUE;
}

static void
on_whoami (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AnxInspectionDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessage *msg;
  JsonNode *root;
  const char *name;
  const char *role;

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("whoami: %s", error->message);
      return;
    }
  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  name = json_object_get_string_member_with_default (json_node_get_object (root), "name", NULL);
  role = json_object_get_string_member_with_default (json_node_get_object (root), "role", NULL);
  if (g_strcmp0 (role, "viewer") == 0)
    {
      /* The feed would refuse the mark (403) and it would wait for ever. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->role_error),
                                     _("This console's token may only read the feed: ask the "
                                       "feed's operator for an inspector's token to mark "
                                       "inspections."));
      gtk_widget_set_visible (GTK_WIDGET (self->role_error), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspection.submit", FALSE);
    }
  if (name == NULL || *name == '\0' || self->inspector_edited)
    return;
  g_signal_handlers_block_by_func (self->inspector_row, on_inspector_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->inspector_row), name);
  g_signal_handlers_unblock_by_func (self->inspector_row, on_inspector_changed, self);
}

static void
anx_inspection_dialog_dispose (GObject *object)
{
  AnxInspectionDialog *self = ANX_INSPECTION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->inspections != NULL)
    g_signal_handlers_disconnect_by_data (self->inspections, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_INSPECTION_DIALOG);
  g_clear_object (&self->inspections);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (anx_inspection_dialog_parent_class)->dispose (object);
}

static void
anx_inspection_dialog_finalize (GObject *object)
{
  AnxInspectionDialog *self = ANX_INSPECTION_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->outbox);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_free (self->charger);
  g_free (self->key);
  g_free (self->state);

  G_OBJECT_CLASS (anx_inspection_dialog_parent_class)->finalize (object);
}

static void
anx_inspection_dialog_class_init (AnxInspectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_inspection_dialog_dispose;
  object_class->finalize = anx_inspection_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-inspection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, submit_button);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, charger_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, alarm_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, time_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, inspector_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, inspector_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, role_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, result_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, error_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, error_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, removed_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, removed_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, applied_row);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, applied_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, notes_view);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, notes_error);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionDialog, status_page);
  gtk_widget_class_install_action (widget_class, "inspection.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
anx_inspection_dialog_init (AnxInspectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The configured zone as the dialog opens (it is modal, as is Preferences). */
  {
    g_autoptr(AnxDisplayZone) display_zone = anx_display_zone_dup_default ();

    self->zone = g_time_zone_ref (anx_display_zone_get_zone (display_zone));
  }
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->inspector_row, "changed", G_CALLBACK (on_inspector_changed),
                            self);
  g_signal_connect (self->time_row, "changed", G_CALLBACK (on_field_changed), self->time_error);
  g_signal_connect (self->inspector_row, "changed", G_CALLBACK (on_field_changed),
                    self->inspector_error);
  g_signal_connect (self->error_row, "changed", G_CALLBACK (on_field_changed), self->error_error);
  g_signal_connect (self->removed_row, "changed", G_CALLBACK (on_field_changed),
                    self->removed_error);
  g_signal_connect (self->applied_row, "changed", G_CALLBACK (on_field_changed),
                    self->applied_error);
  g_signal_connect (gtk_text_view_get_buffer (self->notes_view), "changed",
                    G_CALLBACK (on_notes_changed), self);
}

/**
 * anx_inspection_dialog_new:
 * @parent: (nullable): the window it is modal for
 * @store: the console's store
 * @outbox: where the mark goes
 * @settings: (nullable): the console's settings (the inspector used last)
 * @charger: the charger's code
 * @alarm_id: the console alarm the inspection answers, or 0
 *
 * Returns: (transfer full): a new form, not yet shown
 */
AnxInspectionDialog *
anx_inspection_dialog_new (GtkWindow  *parent,
                           AnxStore   *store,
                           AnxOutbox  *outbox,
                           GSettings  *settings,
                           const char *charger,
                           gint64      alarm_id)
{
  AnxInspectionDialog *self = g_object_new (ANX_TYPE_INSPECTION_DIALOG, "transient-for", parent,
                                            NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autofree char *now_text = anx_inspection_format_time (now, self->zone);

  g_set_object (&self->store, store);
  g_set_object (&self->outbox, outbox);
  g_set_object (&self->settings, settings);
  self->charger = g_strdup (charger);
  self->alarm_id = alarm_id;

  adw_action_row_set_subtitle (self->charger_row, charger);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), now_text);
  if (settings != NULL)
    {
      g_autofree char *last = g_settings_get_string (settings, "inspector-name");

      g_signal_handlers_block_by_func (self->inspector_row, on_inspector_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (self->inspector_row), last);
      g_signal_handlers_unblock_by_func (self->inspector_row, on_inspector_changed, self);
    }

  if (alarm_id > 0 && store != NULL)
    {
      sqlite3 *db = anx_store_get_read_db (store);
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (db, "SELECT kind FROM alarms WHERE id = ?", -1, &stmt, NULL) ==
          SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, alarm_id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              adw_action_row_set_subtitle (
                  self->alarm_row,
                  anx_alarm_kind_get_title ((const char *) sqlite3_column_text (stmt, 0)));
              gtk_widget_set_visible (GTK_WIDGET (self->alarm_row), TRUE);
            }
          sqlite3_finalize (stmt);
        }
    }

  if (store != NULL)
    {
      self->inspections = anx_query_model_new_inspections (store);
      g_signal_connect_swapped (self->inspections, "items-changed", G_CALLBACK (update_status),
                                self);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspection.submit", outbox != NULL);
  return self;
}

/**
 * anx_inspection_dialog_set_feed:
 * @self: a form
 * @base_uri: (nullable): the feed's address
 * @token: (nullable): the bearer token
 *
 * Asks the feed who the token is (GET /v1/whoami) and fills the inspector
 * with it, unless the officer has typed one.
 */
void
anx_inspection_dialog_set_feed (AnxInspectionDialog *self,
                                const char          *base_uri,
                                const char          *token)
{
  g_autofree char *uri = NULL;
  g_autofree char *auth = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (ANX_IS_INSPECTION_DIALOG (self));

  if (base_uri == NULL || token == NULL)
    return;
  uri = g_strconcat (base_uri, g_str_has_suffix (base_uri, "/") ? "" : "/", "v1/whoami", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    return;
  if (self->session == NULL)
    self->session = soup_session_new_with_options ("timeout", 10, NULL);
  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_whoami, self);
}

/**
 * anx_inspection_dialog_get_charger:
 *
 * Returns: the charger's code
 */
const char *
anx_inspection_dialog_get_charger (AnxInspectionDialog *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTION_DIALOG (self), NULL);

  return self->charger;
}

/**
 * anx_inspection_dialog_get_key:
 *
 * Returns: (nullable): the idempotency key of the mark, once it is kept
 */
const char *
anx_inspection_dialog_get_key (AnxInspectionDialog *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTION_DIALOG (self), NULL);

  return self->key;
}

/**
 * anx_inspection_dialog_get_state:
 *
 * Returns: (nullable): the mark's delivery: pending, delivered or rejected
 */
const char *
anx_inspection_dialog_get_state (AnxInspectionDialog *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTION_DIALOG (self), NULL);

  return self->state;
}

/**
 * anx_inspection_dialog_present_for:
 * @window: the console's window
 * @charger: (nullable): the charger's code, or %NULL to take the alarm's
 * @alarm_id: the console alarm the inspection answers, or 0
 *
 * Opens the form for the application of @window: its store, outbox,
 * settings and feed.
 *
 * Returns: (transfer none) (nullable): the form, or %NULL when there is
 *   nothing to mark (no store, unknown alarm)
 */
AnxInspectionDialog *
anx_inspection_dialog_present_for (GtkWindow  *window,
                                   const char *charger,
                                   gint64      alarm_id)
{
  GtkApplication *app = gtk_window_get_application (window);
  AnxApplication *anx;
  AnxStore *store;
  AnxFeedClient *client;
  AnxInspectionDialog *self;
  g_autofree char *code = g_strdup (charger);

  if (!ANX_IS_APPLICATION (app))
    return NULL;
  anx = ANX_APPLICATION (app);
  store = anx_application_get_store (anx);
  if (store == NULL)
    return NULL;
  if (code == NULL && alarm_id > 0)
    {
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (anx_store_get_read_db (store),
                              "SELECT charger_code FROM alarms WHERE id = ?", -1, &stmt,
                              NULL) == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, alarm_id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            code = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          sqlite3_finalize (stmt);
        }
    }
  if (code == NULL || *code == '\0')
    {
      g_warning ("No charger for alarm %" G_GINT64_FORMAT, alarm_id);
      return NULL;
    }

  self = anx_inspection_dialog_new (window, store, anx_application_get_outbox (anx),
                                    anx_application_get_settings (anx), code, alarm_id);
  client = anx_application_get_feed_client (anx);
  if (client != NULL)
    anx_inspection_dialog_set_feed (self, anx_application_get_feed_uri (anx),
                                    anx_feed_client_get_token (client));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
