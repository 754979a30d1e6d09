/* anx-test-feedd.h: start the real anxin-feedd on loopback for console tests
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct
{
  GSubprocess *process;
  char *stderr_path;
  char *base_url;
  char *token;
} AnxTestFeedd;

static inline void
anx_test_die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static inline void
anx_test_feedd_kill (AnxTestFeedd *feedd)
{
  if (feedd->process != NULL && g_subprocess_get_identifier (feedd->process) != NULL)
    {
      g_subprocess_send_signal (feedd->process, SIGKILL);
      g_subprocess_wait (feedd->process, NULL, NULL);
    }
  g_clear_object (&feedd->process);
}

static inline void
anx_test_feedd_free (AnxTestFeedd *feedd)
{
  anx_test_feedd_kill (feedd);
  g_free (feedd->stderr_path);
  g_free (feedd->base_url);
  g_free (feedd->token);
  g_free (feedd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxTestFeedd, anx_test_feedd_free)

/* Starts anxin-feedd on @listen with the ledger and tokens in @dir. */
static inline AnxTestFeedd *
anx_test_feedd_start (const char        *dir,
                      const char        *listen,
                      const char *const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *token_path = g_build_filename (dir, "tokens.admin-token", NULL);
  AnxTestFeedd *feedd = g_new0 (AnxTestFeedd, 1);
  static guint serial;

  feedd->stderr_path = g_strdup_printf ("%s/feedd-%u.log", dir, serial++);
  g_assert_nonnull (g_getenv ("ANXIN_FEEDD"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("ANXIN_FEEDD")));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup (listen));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_build_filename (dir, "ledger.sqlite", NULL));
  g_ptr_array_add (argv, g_strdup ("--tokens"));
  g_ptr_array_add (argv, g_build_filename (dir, "tokens", NULL));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, feedd->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, anx_test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  feedd->process =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (feedd->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        {
          g_autofree char *log = NULL;

          g_file_get_contents (feedd->stderr_path, &log, NULL, NULL);
          g_error ("anxin-feedd ended before listening:\n%s", log);
        }
      if (g_str_has_prefix (line, "anxin-feedd: listening on "))
        {
          feedd->base_url = g_strdup (line + strlen ("anxin-feedd: listening on "));
          break;
        }
    }
  g_assert_true (g_str_has_prefix (feedd->base_url, "http://127.0.0.1:") ||
                 g_str_has_prefix (feedd->base_url, "https://127.0.0.1:") ||
                 g_str_has_prefix (feedd->base_url, "http://[::1]:"));
  g_file_get_contents (token_path, &feedd->token, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (feedd->token);
  return feedd;
}

/* A free loopback port, for a server that must come back on the same one. */
static inline guint16
anx_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* GET @path from the feed, synchronously; the JSON root. */
static inline JsonNode *
anx_test_feedd_get (AnxTestFeedd *feedd,
                    const char   *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (feedd->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autofree char *auth = g_strconcat ("Bearer ", feedd->token, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                              (gssize) g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static inline gint64
anx_test_feedd_head (AnxTestFeedd *feedd)
{
  g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, "/v1/health");

  return json_object_get_int_member (json_node_get_object (root), "cursor");
}
