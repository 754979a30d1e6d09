/* anx-test-session-manager.h: a GNOME session manager on the test's bus that
 * counts idle inhibitors
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GtkApplication asks org.gnome.SessionManager for its inhibitors when the
 * name is owned at start-up (else the portal, which a bare test session may
 * not have). This one answers Inhibit and Uninhibit and remembers what is
 * held. It runs on its own connection and thread: GTK calls it
 * synchronously from the main thread, which would wait for itself if the
 * answer needed the main context. Start it before the application
 * registers; the bus must be a private one (dbus-run-session).
 */

#pragma once

#include <gio/gio.h>

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GDBusConnection *connection;
  GMutex lock;
  GCond owned_cond;
  gboolean owned; /* or failed: see ready */
  gboolean ready;
  guint32 next_cookie;
  GHashTable *held; /* cookie → flags (inhibitors held now) */
  guint n_idle_inhibits;
} AnxTestSessionManager;

#define ANX_TEST_SM_INHIBIT_IDLE 8 /* GTK_APPLICATION_INHIBIT_IDLE */

static const char anx_test_sm_xml[] =
  "<node>"
  "  <interface name='org.gnome.SessionManager'>"
  "    <method name='Inhibit'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='u' name='toplevel_xid' direction='in'/>"
  "      <arg type='s' name='reason' direction='in'/>"
  "      <arg type='u' name='flags' direction='in'/>"
  "      <arg type='u' name='inhibit_cookie' direction='out'/>"
  "    </method>"
  "    <method name='Uninhibit'>"
  "      <arg type='u' name='inhibit_cookie' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static inline void
anx_test_sm_method (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  AnxTestSessionManager *sm = user_data;

  g_mutex_lock (&sm->lock);
  if (g_str_equal (method_name, "Inhibit"))
    {
      guint32 flags, cookie = ++sm->next_cookie;

      g_variant_get (parameters, "(&su&su)", NULL, NULL, NULL, &flags);
      g_hash_table_insert (sm->held, GUINT_TO_POINTER (cookie), GUINT_TO_POINTER (flags));
      if (flags & ANX_TEST_SM_INHIBIT_IDLE)
        sm->n_idle_inhibits++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", cookie));
    }
  else
    {
      guint32 cookie;

      g_variant_get (parameters, "(u)", &cookie);
      g_hash_table_remove (sm->held, GUINT_TO_POINTER (cookie));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  g_mutex_unlock (&sm->lock);
}

static inline void
anx_test_sm_name_acquired (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  AnxTestSessionManager *sm = user_data;

  g_mutex_lock (&sm->lock);
  sm->owned = TRUE;
  sm->ready = TRUE;
  g_cond_broadcast (&sm->owned_cond);
  g_mutex_unlock (&sm->lock);
}

static inline void
anx_test_sm_name_lost (GDBusConnection *connection,
                       const char      *name,
                       gpointer         user_data)
{
  AnxTestSessionManager *sm = user_data;

  g_mutex_lock (&sm->lock);
  sm->ready = TRUE;
  g_cond_broadcast (&sm->owned_cond);
  g_mutex_unlock (&sm->lock);
}

static inline gpointer
anx_test_sm_thread (gpointer data)
{
  static const GDBusInterfaceVTable vtable = { anx_test_sm_method, NULL, NULL, { 0 } };
  AnxTestSessionManager *sm = data;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (anx_test_sm_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  guint owner_id = 0;

  g_main_context_push_thread_default (sm->context);
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (address != NULL)
    sm->connection = g_dbus_connection_new_for_address_sync (
        address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &error);
  if (sm->connection != NULL &&
      g_dbus_connection_register_object (sm->connection, "/org/gnome/SessionManager",
                                         node->interfaces[0], &vtable, sm, NULL, &error) > 0)
    owner_id = g_bus_own_name_on_connection (sm->connection, "org.gnome.SessionManager",
                                             G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                             anx_test_sm_name_acquired, anx_test_sm_name_lost,
                                             sm, NULL);
  if (owner_id == 0)
    {
      g_message ("No session manager for the test: %s",
                 error != NULL ? error->message : "no bus");
      anx_test_sm_name_lost (NULL, NULL, sm);
    }
  else
    g_main_loop_run (sm->loop);

  if (owner_id != 0)
    g_bus_unown_name (owner_id);
  if (sm->connection != NULL)
    g_dbus_connection_close_sync (sm->connection, NULL, NULL);
  g_clear_object (&sm->connection);
  g_main_context_pop_thread_default (sm->context);
  return NULL;
}

/* Returns %NULL (with a message) if the name could not be had. */
static inline AnxTestSessionManager *
anx_test_session_manager_start (void)
{
  AnxTestSessionManager *sm = g_new0 (AnxTestSessionManager, 1);
  gboolean owned;

  g_mutex_init (&sm->lock);
  g_cond_init (&sm->owned_cond);
  sm->held = g_hash_table_new (NULL, NULL);
  sm->context = g_main_context_new ();
  sm->loop = g_main_loop_new (sm->context, FALSE);
  sm->thread = g_thread_new ("session-manager", anx_test_sm_thread, sm);
  g_mutex_lock (&sm->lock);
  while (!sm->ready)
    g_cond_wait (&sm->owned_cond, &sm->lock);
  owned = sm->owned;
  g_mutex_unlock (&sm->lock);
  if (!owned)
    {
      g_thread_join (sm->thread);
      g_main_loop_unref (sm->loop);
      g_main_context_unref (sm->context);
      g_hash_table_unref (sm->held);
      g_free (sm);
      return NULL;
    }
  return sm;
}

/* Idle inhibitors held now. */
static inline guint
anx_test_session_manager_n_idle_held (AnxTestSessionManager *sm)
{
  GHashTableIter iter;
  gpointer flags;
  guint n = 0;

  g_mutex_lock (&sm->lock);
  g_hash_table_iter_init (&iter, sm->held);
  while (g_hash_table_iter_next (&iter, NULL, &flags))
    n += (GPOINTER_TO_UINT (flags) & ANX_TEST_SM_INHIBIT_IDLE) != 0;
  g_mutex_unlock (&sm->lock);
  return n;
}

static inline gboolean
anx_test_sm_quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static inline void
anx_test_session_manager_stop (AnxTestSessionManager *sm)
{
  if (sm == NULL)
    return;
  g_main_context_invoke (sm->context, anx_test_sm_quit, sm->loop);
  g_thread_join (sm->thread);
  g_main_loop_unref (sm->loop);
  g_main_context_unref (sm->context);
  g_hash_table_unref (sm->held);
  g_mutex_clear (&sm->lock);
  g_cond_clear (&sm->owned_cond);
  g_free (sm);
}
