/* test-feed-probe.c: testing a feed address and token, against the real
 * anxin-feedd on loopback (plain and TLS) and servers that are not feeds
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "anx-feed-probe.h"
#include "anx-test-util.h"
#include "anx-test-feedd.h"

static char *test_dir;

typedef struct
{
  gboolean  done;
  char     *version;
  GError   *error;
} Outcome;

static void
on_probed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->version = anx_feed_probe_finish (result, &outcome->error);
  outcome->done = TRUE;
}

/* Probes and returns the error (NULL on success). */
static GError *
probe (const char *uri,
       const char *token,
       const char *ca_file,
       char      **version)
{
  Outcome outcome = { 0 };

  anx_feed_probe_async (uri, token, ca_file, NULL, on_probed, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true ((outcome.version == NULL) != (outcome.error == NULL));
  if (version != NULL)
    *version = g_steal_pointer (&outcome.version);
  g_free (outcome.version);
  return outcome.error;
}

/* A web server that is not a feed: answers every request with @reply, in a
 * thread of its own since the probe runs in the main context. */
static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        gpointer                user_data)
{
  const char *reply = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char buffer[4096];

  /* The request's head fits in one read on loopback. */
  g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
  g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static char *
start_fake (GSocketService **service,
            const char      *reply)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  *service = g_threaded_socket_service_new (4);
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (*service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (*service, "run", G_CALLBACK (on_run), (gpointer) reply);
  g_socket_service_start (*service);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static void
assert_probe_error (GError *error,
                    int     code)
{
  g_assert_error (error, ANX_FEED_PROBE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_feedd (void)
{
  g_autofree char *dir = g_build_filename (test_dir, "plain", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", NULL };
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autofree char *version = NULL;
  g_autofree char *closed = NULL;
  GError *error = NULL;

  g_mkdir_with_parents (dir, 0700);
  feedd = anx_test_feedd_start (dir, "127.0.0.1:0", extra);

  /* The right address and token. */
  error = probe (feedd->base_url, feedd->token, NULL, &version);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);

  /* Typed with a trailing slash and spaces: normalized. */
  g_clear_pointer (&version, g_free);
  {
    g_autofree char *typed = g_strdup_printf ("  %s/ ", feedd->base_url);

    error = probe (typed, feedd->token, NULL, &version);
    g_assert_no_error (error);
  }

  /* A wrong token, an empty one. */
  error = probe (feedd->base_url, "not-the-token", NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  error = probe (feedd->base_url, "", NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* Not an address; plain http to a remote host. */
  error = probe ("feed example", feedd->token, NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_ADDRESS);
  g_clear_error (&error);
  error = probe ("http://feed.example.gov.cn", feedd->token, NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_ADDRESS);
  g_clear_error (&error);

  /* Nobody listening. */
  closed = g_strdup_printf ("http://127.0.0.1:%u", anx_test_free_port ());
  error = probe (closed, feedd->token, NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, closed));
  g_clear_error (&error);

  /* A CA file that does not exist. */
  error = probe (feedd->base_url, feedd->token, "/nonexistent/ca.pem", NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_CERTIFICATE);
  g_clear_error (&error);
}

static void
test_not_a_feed (void)
{
  static const struct
  {
    const char *reply;
    const char *what;
  } servers[] = {
    { "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n"
      "Connection: close\r\n\r\nnot found", "a web server" },
    { "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n"
      "Connection: close\r\n\r\n<html></html>", "a web page" },
    { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n"
      "Connection: close\r\n\r\n{\"status\":\"ok\"}\n", "JSON without a protocol version" },
    { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 62\r\n"
      "Connection: close\r\n\r\n{\"service\":\"anxin-feedd\",\"version\":\"9.0\",\"protocol_version\":2}",
      "a later protocol" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      g_autoptr(GSocketService) service = NULL;
      g_autofree char *uri = start_fake (&service, servers[i].reply);
      GError *error;

      g_test_message ("%s", servers[i].what);
      error = probe (uri, "token", NULL, NULL);
      assert_probe_error (error, ANX_FEED_PROBE_ERROR_INCOMPATIBLE);
      if (i == 3)
        g_assert_nonnull (strstr (error->message, "2"));
      g_clear_error (&error);
      g_socket_service_stop (service);
      g_socket_listener_close (G_SOCKET_LISTENER (service));
    }
}

static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = g_build_filename (test_dir, "tls", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(GError) spawn_error = NULL;
  g_autofree char *version = NULL;
  GError *error = NULL;
  int wait_status = 0;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No openssl command or no GIO TLS backend");
      return;
    }
  g_mkdir_with_parents (dir, 0700);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                           "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key, "-out", cert, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &wait_status, &spawn_error));
    g_assert_no_error (spawn_error);
    g_assert_true (g_spawn_check_wait_status (wait_status, &spawn_error));
  }
  {
    const char *extra[] = { "--tls-cert", cert, "--tls-key", key,
                            "--simulate", "hangzhou", "--sim-scale", "tiny", NULL };

    feedd = anx_test_feedd_start (dir, "127.0.0.1:0", extra);
  }
  g_assert_true (g_str_has_prefix (feedd->base_url, "https://"));

  /* A self-signed certificate is not trusted by the system... */
  error = probe (feedd->base_url, feedd->token, NULL, NULL);
  assert_probe_error (error, ANX_FEED_PROBE_ERROR_CERTIFICATE);
  g_clear_error (&error);

  /* ...but is with it as the custom CA. */
  error = probe (feedd->base_url, feedd->token, cert, &version);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_dir = g_dir_make_tmp ("anxin-feed-probe-XXXXXX", NULL);
  g_assert_nonnull (test_dir);

  g_test_add_func ("/feed-probe/feedd", test_feedd);
  g_test_add_func ("/feed-probe/not-a-feed", test_not_a_feed);
  g_test_add_func ("/feed-probe/tls", test_tls);
  status = g_test_run ();

  anx_test_remove_tree (test_dir);
  g_free (test_dir);
  return status;
}
