/* anx-connection-indicator.c: what the feed client is doing, in words,
 * refreshed every second so that "N s old" is always true
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-connection-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-connection-indicator.h"

struct _AnxConnectionIndicator
{
  GtkWidget      parent_instance;

  AnxFeedClient *client;
  guint          tick_id;
  const char    *style; /* a static string */

  GtkWidget     *box;
  GtkWidget     *icon;
  GtkWidget     *label;
};

G_DEFINE_FINAL_TYPE (AnxConnectionIndicator, anx_connection_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_age (gint64 seconds)
{
  if (seconds < 120)
    /* Translators: how old the newest data is, in seconds */
    return g_strdup_printf (_("Data %d s old"), (int) seconds);
  if (seconds < 2 * 3600)
    /* Translators: how old the newest data is, in minutes */
    return g_strdup_printf (_("Data %d min old"), (int) (seconds / 60));
  if (seconds < 2 * 86400)
    /* Translators: how old the newest data is, in hours */
    return g_strdup_printf (_("Data %d h old"), (int) (seconds / 3600));
  /* Translators: how old the newest data is, in days */
  return g_strdup_printf (_("Data %d d old"), (int) MIN (seconds / 86400, G_MAXINT));
}

static void
anx_connection_indicator_update (AnxConnectionIndicator *self)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  const char *icon = "network-idle-symbolic";
  const char *style = NULL;
  AnxFeedClientState state = ANX_FEED_CLIENT_STOPPED;
  const char *error = NULL;

  if (self->client != NULL)
    {
      state = anx_feed_client_get_state (self->client);
      error = anx_feed_client_get_last_error (self->client);
    }

  switch (state)
    {
    case ANX_FEED_CLIENT_STOPPED:
      text = g_strdup (_("Not connected"));
      icon = "network-offline-symbolic";
      break;

    case ANX_FEED_CLIENT_CONNECTING:
      text = g_strdup (_("Connecting…"));
      break;

    case ANX_FEED_CLIENT_SYNCING:
      text = g_strdup (_("Synchronizing…"));
      break;

    case ANX_FEED_CLIENT_LIVE:
      text = g_strdup (_("Live"));
      icon = "network-transmit-receive-symbolic";
      style = "success";
      break;

    case ANX_FEED_CLIENT_RECONNECTING:
      {
        gint64 wait = (anx_feed_client_get_next_attempt (self->client) - g_get_real_time () +
                       G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

        /* At 0 s the attempt is under way: not a countdown any more. */
        if (wait <= 0)
          text = g_strdup (_("Reconnecting…"));
        else
          /* Translators: %d is a number of seconds */
          text = g_strdup_printf (_("Reconnecting in %d s"), (int) MIN (wait, G_MAXINT));
        icon = "network-offline-symbolic";
        style = "warning";
      }
      break;

    case ANX_FEED_CLIENT_STALE:
      text = format_age (MAX (anx_feed_client_get_data_age (self->client), 0));
      icon = "network-offline-symbolic";
      style = "warning";
      break;

    case ANX_FEED_CLIENT_UNAUTHORIZED:
      text = g_strdup (_("Unauthorized"));
      icon = "dialog-password-symbolic";
      style = "error";
      break;

    case ANX_FEED_CLIENT_INCOMPATIBLE:
      text = g_strdup (_("Incompatible server"));
      icon = "dialog-error-symbolic";
      style = "error";
      break;

    case ANX_FEED_CLIENT_BAD_CERTIFICATE:
      text = g_strdup (_("Untrusted certificate"));
      icon = "channel-insecure-symbolic";
      style = "error";
      break;

    default:
      /* A state this indicator does not know yet: say so, never crash. */
      text = g_strdup (_("Unknown connection state"));
      icon = "dialog-question-symbolic";
      style = "warning";
      break;
    }

  /* Reconnecting also says how old what is on screen is. */
  if (state == ANX_FEED_CLIENT_RECONNECTING && anx_feed_client_get_data_age (self->client) >= 0)
    {
      g_autofree char *age = format_age (anx_feed_client_get_data_age (self->client));
      g_autofree char *both = g_strdup_printf ("%s · %s", text, age);

      g_free (text);
      text = g_steal_pointer (&both);
    }

  /* Touch only what changed: this runs every second. */
  gtk_label_set_label (GTK_LABEL (self->label), text);
  if (g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (self->icon)), icon) != 0)
    gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), icon);
  if (g_strcmp0 (style, self->style) != 0)
    {
      if (self->style != NULL)
        gtk_widget_remove_css_class (self->box, self->style);
      if (style != NULL)
        gtk_widget_add_css_class (self->box, style);
      self->style = style;
    }

  if (self->client != NULL)
    {
      /* Translators: %s is the feed's address */
      g_autofree char *address = g_strdup_printf (_("Feed: %s"), anx_feed_client_get_uri (self->client));

      tooltip = error != NULL && state != ANX_FEED_CLIENT_LIVE
                  ? g_strdup_printf ("%s\n%s", address, error)
                  : g_steal_pointer (&address);

      /* What to do about the states the officer can fix. */
      if (state == ANX_FEED_CLIENT_UNAUTHORIZED || state == ANX_FEED_CLIENT_INCOMPATIBLE ||
          state == ANX_FEED_CLIENT_BAD_CERTIFICATE)
        {
          const char *hint = state == ANX_FEED_CLIENT_UNAUTHORIZED
                               ? _("Replace the access token in Preferences.")
                             : state == ANX_FEED_CLIENT_BAD_CERTIFICATE
                               ? _("Check the feed address, or choose the regulator's certificate "
                                   "authority in Preferences.")
                               : _("Check the feed address in Preferences.");
          g_autofree char *with_hint = g_strdup_printf ("%s\n%s", tooltip, hint);

          g_free (tooltip);
          tooltip = g_steal_pointer (&with_hint);
        }
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
}

static gboolean
on_tick (gpointer user_data)
{
  anx_connection_indicator_update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_client_notify (AnxConnectionIndicator *self)
{
  anx_connection_indicator_update (self);
}

static void
anx_connection_indicator_dispose (GObject *object)
{
  AnxConnectionIndicator *self = ANX_CONNECTION_INDICATOR (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  anx_connection_indicator_set_client (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (anx_connection_indicator_parent_class)->dispose (object);
}

static void
anx_connection_indicator_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  AnxConnectionIndicator *self = ANX_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_connection_indicator_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  AnxConnectionIndicator *self = ANX_CONNECTION_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      anx_connection_indicator_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
anx_connection_indicator_class_init (AnxConnectionIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_connection_indicator_dispose;
  object_class->get_property = anx_connection_indicator_get_property;
  object_class->set_property = anx_connection_indicator_set_property;

  /**
   * AnxConnectionIndicator:client:
   *
   * The feed client it tells about; %NULL reads "Not connected".
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, ANX_TYPE_FEED_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "connectionindicator");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
anx_connection_indicator_init (AnxConnectionIndicator *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_valign (self->box, GTK_ALIGN_CENTER);
  self->icon = gtk_image_new ();
  self->label = gtk_label_new (NULL);
  /* A narrow window shortens the words rather than grow: the tooltip and
   * the accessible label keep all of them. */
  gtk_label_set_ellipsize (GTK_LABEL (self->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (self->label), 6);
  gtk_box_append (GTK_BOX (self->box), self->icon);
  gtk_box_append (GTK_BOX (self->box), self->label);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  self->tick_id = g_timeout_add_seconds (1, on_tick, self);
  anx_connection_indicator_update (self);
}

/**
 * anx_connection_indicator_get_client:
 *
 * Returns: (transfer none) (nullable): the client it follows
 */
AnxFeedClient *
anx_connection_indicator_get_client (AnxConnectionIndicator *self)
{
  g_return_val_if_fail (ANX_IS_CONNECTION_INDICATOR (self), NULL);

  return self->client;
}

/**
 * anx_connection_indicator_set_client:
 * @client: (nullable): the feed client to follow
 */
void
anx_connection_indicator_set_client (AnxConnectionIndicator *self,
                                     AnxFeedClient          *client)
{
  g_return_if_fail (ANX_IS_CONNECTION_INDICATOR (self));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_swapped (client, "notify::state", G_CALLBACK (on_client_notify), self);
      g_signal_connect_swapped (client, "notify::last-error", G_CALLBACK (on_client_notify), self);
    }
  if (self->label != NULL)
    anx_connection_indicator_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

/**
 * anx_connection_indicator_get_state:
 *
 * Returns: the state it shows (%ANX_FEED_CLIENT_STOPPED without a client)
 */
AnxFeedClientState
anx_connection_indicator_get_state (AnxConnectionIndicator *self)
{
  g_return_val_if_fail (ANX_IS_CONNECTION_INDICATOR (self), ANX_FEED_CLIENT_STOPPED);

  return self->client != NULL ? anx_feed_client_get_state (self->client)
                              : ANX_FEED_CLIENT_STOPPED;
}

/**
 * anx_connection_indicator_get_text:
 *
 * Returns: the words it shows
 */
const char *
anx_connection_indicator_get_text (AnxConnectionIndicator *self)
{
  g_return_val_if_fail (ANX_IS_CONNECTION_INDICATOR (self), NULL);

  return gtk_label_get_label (GTK_LABEL (self->label));
}
