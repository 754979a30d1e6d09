/* test-console-tls.c: the feed client over TLS with a custom certificate authority
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A certificate authority and two server certificates are made with the
 * openssl command at test time; anxin-feedd serves https with them on
 * loopback. The client verifies the certificate always: with the CA file
 * it goes live; without it, or when the certificate names another host,
 * it shows the bad-certificate state with a clear reason and never goes
 * live; setting the CA file while it waits recovers at once.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "anx-test-util.h"
#include "anx-test-feedd.h"
#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-store.h"

typedef struct
{
  char *dir;
  char *ca;
} Fixture;

static void
run_openssl (const char *dir,
             const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) "openssl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s", args[0], err);
}

/* A server key and certificate for @san, signed by the fixture's CA. */
static void
make_server_certificate (Fixture    *fixture,
                         const char *name,
                         const char *san)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext = g_strconcat (name, ".ext", NULL);
  g_autofree char *ext_path = g_build_filename (fixture->dir, ext, NULL);
  g_autofree char *ext_text = g_strdup_printf ("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                                               "extendedKeyUsage=serverAuth\n",
                                               san);
  const char *req[] = { "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", csr, "-subj", "/CN=anxin-feedd test", NULL };
  const char *sign[] = { "x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key",
                         "-CAcreateserial", "-out", pem, "-days", "2", "-extfile", ext, NULL };
  g_autoptr(GError) error = NULL;

  g_file_set_contents (ext_path, ext_text, -1, &error);
  g_assert_no_error (error);
  run_openssl (fixture->dir, req);
  run_openssl (fixture->dir, sign);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *ca[] = { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                       "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                       "/CN=Anxin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL };

  fixture->dir = g_dir_make_tmp ("anx-console-tls-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->ca = g_build_filename (fixture->dir, "ca.pem", NULL);
  run_openssl (fixture->dir, ca);
  make_server_certificate (fixture, "loopback", "IP:127.0.0.1,DNS:localhost");
  make_server_certificate (fixture, "elsewhere", "DNS:feed.elsewhere.example");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  anx_test_remove_tree (fixture->dir);
  g_assert_false (g_file_test (fixture->dir, G_FILE_TEST_EXISTS));
  g_free (fixture->ca);
  g_free (fixture->dir);
}

/* anxin-feedd serving https with the certificate @name; like
 * anx_test_feedd_start(), which expects http. */
static AnxTestFeedd *
start_tls_feedd (Fixture    *fixture,
                 const char *name)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *data_dir = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *db = g_build_filename (data_dir, "ledger.sqlite", NULL);
  g_autofree char *tokens = g_build_filename (data_dir, "tokens", NULL);
  g_autofree char *token_path = g_build_filename (data_dir, "tokens.admin-token", NULL);
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", fixture->dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", fixture->dir, name);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  AnxTestFeedd *feedd = g_new0 (AnxTestFeedd, 1);
  const char *argv[] = { g_getenv ("ANXIN_FEEDD"), "--listen", "127.0.0.1:0", "--db", db,
                         "--tokens", tokens, "--tls-cert", cert, "--tls-key", key,
                         "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "7",
                         "--heartbeat", "1", NULL };

  g_assert_nonnull (argv[0]);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);
  feedd->stderr_path = g_build_filename (data_dir, "feedd.log", NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, feedd->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, anx_test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  feedd->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (feedd->process));
  while (feedd->base_url == NULL)
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
        feedd->base_url = g_strdup (line + strlen ("anxin-feedd: listening on "));
    }
  g_assert_true (g_str_has_prefix (feedd->base_url, "https://127.0.0.1:"));
  g_file_get_contents (token_path, &feedd->token, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (feedd->token);
  return feedd;
}

typedef struct
{
  AnxStore *store;
  AnxIngest *ingest;
  AnxFeedClient *client;
  gboolean was_live;
} Console;

static void
on_state (AnxFeedClient *client,
          GParamSpec    *pspec,
          Console       *console)
{
  if (anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE)
    console->was_live = TRUE;
}

static void
console_open (Console      *console,
              Fixture      *fixture,
              AnxTestFeedd *feedd,
              const char   *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.sqlite", fixture->dir, name);
  g_autoptr(GError) error = NULL;

  console->store = anx_store_open (path, &error);
  g_assert_no_error (error);
  console->ingest = anx_ingest_new (console->store);
  console->client = anx_feed_client_new (console->ingest, feedd->base_url);
  anx_feed_client_set_token (console->client, feedd->token);
  anx_feed_client_set_backoff (console->client, 100, 400);
  console->was_live = FALSE;
  g_signal_connect (console->client, "notify::state", G_CALLBACK (on_state), console);
}

static void
console_close (Console *console)
{
  anx_feed_client_stop (console->client);
  g_clear_object (&console->client);
  g_clear_object (&console->ingest);
  anx_store_close (console->store);
  g_clear_object (&console->store);
}

static gboolean
wait_for_state (AnxFeedClient      *client,
                AnxFeedClientState  state,
                guint               seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (anx_feed_client_get_state (client) != state && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
  return anx_feed_client_get_state (client) == state;
}

/* With the CA file: verified, and live. */
static void
test_custom_ca (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(AnxTestFeedd) feedd = start_tls_feedd (fixture, "loopback");
  g_autoptr(GError) error = NULL;
  Console console;

  console_open (&console, fixture, feedd, "custom-ca");
  g_assert_true (anx_feed_client_set_ca_file (console.client, fixture->ca, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (anx_feed_client_get_ca_file (console.client), ==, fixture->ca);
  anx_feed_client_start (console.client);
  if (!wait_for_state (console.client, ANX_FEED_CLIENT_LIVE, 60))
    g_error ("not live over TLS with the CA file: %s (%s)",
             anx_feed_client_state_to_string (anx_feed_client_get_state (console.client)),
             anx_feed_client_get_last_error (console.client));
  g_assert_cmpint (anx_store_count (console.store, "chargers"), >, 0);
  console_close (&console);
}

/* Without it: the system's authorities do not know the test CA. */
static void
test_unknown_ca (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AnxTestFeedd) feedd = start_tls_feedd (fixture, "loopback");
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fixture->dir, "no-such-ca.pem", NULL);
  const char *message;
  Console console;

  console_open (&console, fixture, feedd, "unknown-ca");
  /* A CA file that cannot be read is refused and changes nothing. */
  g_assert_false (anx_feed_client_set_ca_file (console.client, missing, &error));
  g_assert_nonnull (error);
  g_assert_null (anx_feed_client_get_ca_file (console.client));
  g_clear_error (&error);

  anx_feed_client_start (console.client);
  g_assert_true (wait_for_state (console.client, ANX_FEED_CLIENT_BAD_CERTIFICATE, 30));
  message = anx_feed_client_get_last_error (console.client);
  g_test_message ("without the CA: %s", message);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Bad certificate"));
  g_assert_nonnull (strstr (message, "certificate authority"));
  g_assert_cmpstr (anx_feed_client_state_to_string (ANX_FEED_CLIENT_BAD_CERTIFICATE), ==,
                   "bad-certificate");

  /* It keeps trying, and stays in that state: never live. */
  wait_for_state (console.client, ANX_FEED_CLIENT_LIVE, 2);
  g_assert_false (console.was_live);
  g_assert_cmpint (anx_feed_client_get_state (console.client), ==,
                   ANX_FEED_CLIENT_BAD_CERTIFICATE);
  g_assert_cmpint (anx_store_count (console.store, "chargers"), ==, 0);

  /* The officer sets the CA file: it connects at once. */
  g_assert_true (anx_feed_client_set_ca_file (console.client, fixture->ca, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_state (console.client, ANX_FEED_CLIENT_LIVE, 60));
  console_close (&console);
}

/* The right CA, but a certificate for another host name. */
static void
test_wrong_host (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(AnxTestFeedd) feedd = start_tls_feedd (fixture, "elsewhere");
  g_autoptr(GError) error = NULL;
  const char *message;
  Console console;

  console_open (&console, fixture, feedd, "wrong-host");
  g_assert_true (anx_feed_client_set_ca_file (console.client, fixture->ca, &error));
  anx_feed_client_start (console.client);
  g_assert_true (wait_for_state (console.client, ANX_FEED_CLIENT_BAD_CERTIFICATE, 30));
  message = anx_feed_client_get_last_error (console.client);
  g_test_message ("wrong host: %s", message);
  g_assert_true (g_str_has_prefix (message, "Bad certificate"));
  g_assert_nonnull (strstr (message, "host name"));
  wait_for_state (console.client, ANX_FEED_CLIENT_LIVE, 2);
  g_assert_false (console.was_live);
  console_close (&console);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/console-tls/custom-ca", Fixture, NULL, fixture_set_up, test_custom_ca,
              fixture_tear_down);
  g_test_add ("/console-tls/unknown-ca", Fixture, NULL, fixture_set_up, test_unknown_ca,
              fixture_tear_down);
  g_test_add ("/console-tls/wrong-host", Fixture, NULL, fixture_set_up, test_wrong_host,
              fixture_tear_down);
  return g_test_run ();
}
