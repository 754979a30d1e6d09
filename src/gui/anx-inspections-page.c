/* anx-inspections-page.c: the inspections marked in this console and where
 * their delivery stands (the full worklist comes later)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-inspections-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-inspections-page.h"
#include "anx-query-model.h"

struct _AnxInspectionsPage
{
  AdwBin         parent_instance;

  AnxStore      *store;
  AnxOutbox     *outbox;
  AnxQueryModel *inspections;
  AnxQueryModel *outbox_rows;

  /* Template widgets */
  GtkStack      *stack;
  AdwStatusPage *empty_page;
  GtkLabel      *outbox_label;
  GtkListBox    *list_box;
};

G_DEFINE_FINAL_TYPE (AnxInspectionsPage, anx_inspections_page, ADW_TYPE_BIN)

static const char *
delivery_title (const char *state)
{
  if (g_strcmp0 (state, ANX_OUTBOX_DELIVERED) == 0)
    return _("Delivered");
  if (g_strcmp0 (state, ANX_OUTBOX_REJECTED) == 0)
    return _("Rejected");
  return _("Waiting to be delivered");
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  AnxStoreItem *inspection = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *state = gtk_label_new (delivery_title (anx_store_item_get_string (inspection, "delivery")));
  g_autofree char *subtitle = NULL;

  subtitle = g_strdup_printf ("%s · %s", anx_store_item_get_string (inspection, "inspector") ?: "",
                              anx_store_item_get_string (inspection, "inspected_at") ?: "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 anx_store_item_get_string (inspection, "charger_code"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (g_strcmp0 (anx_store_item_get_string (inspection, "delivery"), ANX_OUTBOX_REJECTED) == 0)
    {
      gtk_widget_add_css_class (state, "error");
      gtk_widget_set_tooltip_text (state, anx_store_item_get_string (inspection, "last_error"));
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
  return row;
}

static void
anx_inspections_page_update (AnxInspectionsPage *self)
{
  guint n = self->inspections != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->inspections)) : 0;
  g_autofree char *text = NULL;
  guint pending = 0;
  guint delivered = 0;
  guint rejected = 0;

  if (self->outbox != NULL)
    {
      pending = anx_outbox_count (self->outbox, ANX_OUTBOX_PENDING);
      delivered = anx_outbox_count (self->outbox, ANX_OUTBOX_DELIVERED);
      rejected = anx_outbox_count (self->outbox, ANX_OUTBOX_REJECTED);
    }

  /* Translators: the state of the writes to the feed */
  text = g_strdup_printf (_("Outbox: %u pending, %u delivered, %u rejected"), pending, delivered,
                          rejected);
  gtk_label_set_label (self->outbox_label, text);
  adw_status_page_set_description (self->empty_page, text);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
anx_inspections_page_dispose (GObject *object)
{
  AnxInspectionsPage *self = ANX_INSPECTIONS_PAGE (object);

  if (self->inspections != NULL)
    g_signal_handlers_disconnect_by_data (self->inspections, self);
  if (self->outbox_rows != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox_rows, self);
  /* AdwBin unparents its child itself: let go of it before the template. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_INSPECTIONS_PAGE);
  g_clear_object (&self->inspections);
  g_clear_object (&self->outbox_rows);

  G_OBJECT_CLASS (anx_inspections_page_parent_class)->dispose (object);
}

static void
anx_inspections_page_finalize (GObject *object)
{
  AnxInspectionsPage *self = ANX_INSPECTIONS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->outbox);

  G_OBJECT_CLASS (anx_inspections_page_parent_class)->finalize (object);
}

static void
anx_inspections_page_class_init (AnxInspectionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_inspections_page_dispose;
  object_class->finalize = anx_inspections_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/anx-inspections-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, outbox_label);
  gtk_widget_class_bind_template_child (widget_class, AnxInspectionsPage, list_box);
}

static void
anx_inspections_page_init (AnxInspectionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  anx_inspections_page_update (self);
}

/**
 * anx_inspections_page_set_store:
 * @store: (nullable): the console's store
 * @outbox: (nullable): the outbox whose state it shows
 *
 * Lists the store's inspections, and follows them.
 */
void
anx_inspections_page_set_store (AnxInspectionsPage *self,
                                AnxStore           *store,
                                AnxOutbox          *outbox)
{
  g_return_if_fail (ANX_IS_INSPECTIONS_PAGE (self));

  g_set_object (&self->outbox, outbox);
  if (self->store != store)
    {
      if (self->inspections != NULL)
        g_signal_handlers_disconnect_by_data (self->inspections, self);
      if (self->outbox_rows != NULL)
        g_signal_handlers_disconnect_by_data (self->outbox_rows, self);
      g_clear_object (&self->inspections);
      g_clear_object (&self->outbox_rows);
      g_set_object (&self->store, store);
      if (store != NULL)
        {
          self->inspections = anx_query_model_new_inspections (store);
          self->outbox_rows = anx_query_model_new_outbox (store);
          g_signal_connect_swapped (self->inspections, "items-changed",
                                    G_CALLBACK (anx_inspections_page_update), self);
          g_signal_connect_swapped (self->outbox_rows, "items-changed",
                                    G_CALLBACK (anx_inspections_page_update), self);
        }
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->inspections), create_row, NULL,
                               NULL);
    }
  anx_inspections_page_update (self);
}

/**
 * anx_inspections_page_get_rows:
 *
 * Returns: (transfer none) (nullable): the inspections it lists
 */
GListModel *
anx_inspections_page_get_rows (AnxInspectionsPage *self)
{
  g_return_val_if_fail (ANX_IS_INSPECTIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->inspections);
}
