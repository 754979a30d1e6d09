/* anx-console-sync.c: the console's ingest as a process of its own, for tests
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * anx-console-sync URI TOKEN-FILE STORE [TARGET-CURSOR]
 *
 * Subscribes to the feed at URI and writes to STORE until killed, or, with
 * TARGET-CURSOR, until the store holds the stream up to it; then prints
 * "synced CURSOR" and exits 0. The tests SIGKILL it at random moments.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-store.h"

typedef struct
{
  AnxFeedClient *client;
  AnxStore *store;
  guint64 target;
  GMainLoop *loop;
} Helper;

static gboolean
check (gpointer user_data)
{
  Helper *helper = user_data;

  if (helper->target > 0 && anx_feed_client_get_state (helper->client) == ANX_FEED_CLIENT_LIVE &&
      anx_store_get_cursor (helper->store) >= helper->target &&
      anx_store_get_backlog (helper->store) == 0)
    {
      g_main_loop_quit (helper->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = NULL;
  g_autoptr(AnxIngest) ingest = NULL;
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *token = NULL;
  Helper helper = { 0 };

  if (argc < 4)
    {
      g_printerr ("usage: anx-console-sync URI TOKEN-FILE STORE [TARGET-CURSOR]\n");
      return 2;
    }
  if (!g_file_get_contents (argv[2], &token, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_strstrip (token);
  store = anx_store_open (argv[3], &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  ingest = anx_ingest_new (store);
  client = anx_feed_client_new (ingest, argv[1]);
  anx_feed_client_set_token (client, token);
  anx_feed_client_set_backoff (client, 50, 500);
  anx_feed_client_set_watchdog (client, 4);
  loop = g_main_loop_new (NULL, FALSE);
  helper = (Helper){ client, store, argc > 4 ? g_ascii_strtoull (argv[4], NULL, 10) : 0, loop };
  g_timeout_add (20, check, &helper);
  anx_feed_client_start (client);
  g_main_loop_run (loop);
  anx_feed_client_stop (client);
  g_print ("synced %" G_GUINT64_FORMAT "\n", anx_store_get_cursor (store));
  return 0;
}
