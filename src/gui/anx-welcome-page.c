/* anx-welcome-page.c: first run: the feed's address and token, tested
 *
 * Shown instead of the console while there is no feed client: no address,
 * no token, or no store. "Connect" probes the feed (anx-feed-probe) and,
 * once the address answers as an Anxin feed and accepts the token, keeps
 * both (the token in the keyring) and lets the application connect; the
 * window then shows the console. Each way the probe can fail is explained
 * with what to do about it.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-welcome-page"

#include "config.h"

#include <glib/gi18n.h>

#include "anx-application.h"
#include "anx-feed-probe.h"
#include "anx-feed-uri.h"
#include "anx-welcome-page.h"

struct _AnxWelcomePage
{
  AdwBin        parent_instance;

  GCancellable *probe;
  int           error_code; /* an AnxFeedProbeError, or -1 */

  /* Template widgets */
  AdwEntryRow         *address_row;
  AdwPasswordEntryRow *token_row;
  GtkWidget           *error_box;
  GtkLabel            *error_title;
  GtkLabel            *error_detail;
  GtkLabel            *error_hint;
  GtkWidget           *connect_button;
  GtkSpinner          *spinner;
};

G_DEFINE_FINAL_TYPE (AnxWelcomePage, anx_welcome_page, ADW_TYPE_BIN)

static AnxApplication *
get_application (AnxWelcomePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root))
                                             : NULL;

  return ANX_IS_APPLICATION (app) ? ANX_APPLICATION (app) : NULL;
}

static void
anx_welcome_page_update_sensitivity (AnxWelcomePage *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  gboolean busy = self->probe != NULL;

  gtk_widget_set_sensitive (self->connect_button, !busy && *address != '\0' && *token != '\0');
  /* Not insensitive: GTK 4.8 warns when a focused entry becomes insensitive. */
  gtk_editable_set_editable (GTK_EDITABLE (self->address_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->token_row), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

static void
anx_welcome_page_show_error (AnxWelcomePage *self,
                             const GError   *error)
{
  const char *title;
  const char *hint;
  GtkWidget *row = NULL;

  /* Stale marks go first. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->token_row), "error");
  self->error_code = -1;

  if (error == NULL)
    {
      gtk_widget_set_visible (self->error_box, FALSE);
      return;
    }

  self->error_code = error->domain == ANX_FEED_PROBE_ERROR ? error->code : -1;
  switch (self->error_code)
    {
    case ANX_FEED_PROBE_ERROR_ADDRESS:
      title = _("This is not a feed address");
      hint = _("A feed address looks like https://feed.example.gov.cn. Plain http:// is only "
               "allowed for a feed on this computer.");
      row = GTK_WIDGET (self->address_row);
      break;

    case ANX_FEED_PROBE_ERROR_UNREACHABLE:
      title = _("The feed cannot be reached");
      hint = _("Check the address and the port, and that this computer can reach the feed's "
               "network.");
      row = GTK_WIDGET (self->address_row);
      break;

    case ANX_FEED_PROBE_ERROR_CERTIFICATE:
      title = _("The feed's certificate is not trusted");
      hint = _("If the regulator uses a certificate authority of its own, choose its CA file in "
               "Preferences, then connect again.");
      row = GTK_WIDGET (self->address_row);
      break;

    case ANX_FEED_PROBE_ERROR_UNAUTHORIZED:
      title = _("The access token was refused");
      hint = _("Paste the token again, without spaces, or ask the feed's administrator for a "
               "new one.");
      row = GTK_WIDGET (self->token_row);
      break;

    case ANX_FEED_PROBE_ERROR_INCOMPATIBLE:
      title = _("This server is not a compatible Anxin feed");
      hint = _("Check the address: it must be the feed's base address, and the feed must speak "
               "the protocol this version of Anxin speaks.");
      row = GTK_WIDGET (self->address_row);
      break;

    default:
      title = _("Cannot connect to the feed");
      hint = "";
      break;
    }

  gtk_label_set_label (self->error_title, title);
  gtk_label_set_label (self->error_detail, error->message);
  gtk_label_set_label (self->error_hint, hint);
  gtk_widget_set_visible (GTK_WIDGET (self->error_hint), *hint != '\0');
  gtk_widget_set_visible (self->error_box, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
  if (row != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_grab_focus (row);
    }
}

static void
on_probed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AnxWelcomePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) keyring_error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *token = NULL;
  AnxApplication *app;

  version = anx_feed_probe_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->probe);
  anx_welcome_page_update_sensitivity (self);

  if (version == NULL)
    {
      anx_welcome_page_show_error (self, error);
      return;
    }

  app = get_application (self);
  if (app == NULL)
    return;

  /* The probe accepted it, so it normalizes. */
  uri = anx_feed_uri_normalize (gtk_editable_get_text (GTK_EDITABLE (self->address_row)), NULL);
  g_return_if_fail (uri != NULL);
  anx_welcome_page_show_error (self, NULL);
  token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));
  /* The address as kept; the token leaves the widget for the keyring. */
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), uri);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  if (!anx_application_use_feed (app, uri, token, &keyring_error))
    g_message ("The token is used for this run but could not be kept in the keyring: %s",
               keyring_error->message);
  g_debug ("Connected to %s (anxin-feedd %s)", uri, version);

  /* Without its store the console has nowhere to keep what the feed sends. */
  if (anx_application_get_feed_client (app) == NULL)
    {
      g_autoptr(GError) store_error =
          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The feed works, but the console's local store could not be "
                                 "opened: see the system log."));

      anx_welcome_page_show_error (self, store_error);
    }
}

/**
 * anx_welcome_page_connect:
 *
 * Tests the address and token typed and, if they work, connects to them.
 */
void
anx_welcome_page_connect (AnxWelcomePage *self)
{
  AnxApplication *app;
  g_autofree char *ca_file = NULL;

  g_return_if_fail (ANX_IS_WELCOME_PAGE (self));

  if (self->probe != NULL || !gtk_widget_get_sensitive (self->connect_button))
    return;

  app = get_application (self);
  if (app != NULL)
    ca_file = g_settings_get_string (anx_application_get_settings (app), "ca-file");

  self->probe = g_cancellable_new ();
  anx_welcome_page_update_sensitivity (self);
  anx_feed_probe_async (gtk_editable_get_text (GTK_EDITABLE (self->address_row)),
                        gtk_editable_get_text (GTK_EDITABLE (self->token_row)), ca_file,
                        self->probe, on_probed, g_object_ref (self));
}

static void
on_form_changed (AnxWelcomePage *self)
{
  anx_welcome_page_update_sensitivity (self);
}

static void
on_address_activated (AnxWelcomePage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
on_token_activated (AnxWelcomePage *self)
{
  anx_welcome_page_connect (self);
}

/* Typing starts at once: in the address, or the token when the address is known. */
static void
on_map (AnxWelcomePage *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (self->address_row)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
anx_welcome_page_dispose (GObject *object)
{
  AnxWelcomePage *self = ANX_WELCOME_PAGE (object);

  g_cancellable_cancel (self->probe);
  g_clear_object (&self->probe);
  gtk_widget_dispose_template (GTK_WIDGET (self), ANX_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (anx_welcome_page_parent_class)->dispose (object);
}

static void
anx_welcome_page_class_init (AnxWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = anx_welcome_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/anx-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, address_row);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, token_row);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, error_box);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, error_title);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, error_detail);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, error_hint);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, connect_button);
  gtk_widget_class_bind_template_child (widget_class, AnxWelcomePage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, anx_welcome_page_connect);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_address_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_token_activated);
}

static void
anx_welcome_page_init (AnxWelcomePage *self)
{
  self->error_code = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
}

/**
 * anx_welcome_page_set_feed_uri:
 * @uri: (nullable): the address in effect, filled in unless something was typed
 */
void
anx_welcome_page_set_feed_uri (AnxWelcomePage *self,
                               const char     *uri)
{
  g_return_if_fail (ANX_IS_WELCOME_PAGE (self));

  if (uri != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->address_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->address_row), uri);
}

/**
 * anx_welcome_page_get_busy:
 *
 * Returns: whether a probe is under way
 */
gboolean
anx_welcome_page_get_busy (AnxWelcomePage *self)
{
  g_return_val_if_fail (ANX_IS_WELCOME_PAGE (self), FALSE);

  return self->probe != NULL;
}

/**
 * anx_welcome_page_get_error:
 *
 * Returns: the #AnxFeedProbeError shown, or -1 when none is
 */
int
anx_welcome_page_get_error (AnxWelcomePage *self)
{
  g_return_val_if_fail (ANX_IS_WELCOME_PAGE (self), -1);

  return self->error_code;
}
