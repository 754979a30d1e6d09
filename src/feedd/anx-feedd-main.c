/* anx-feedd-main.c: the anxin-feedd command line
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anxin-feedd"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "anx-feed-ledger.h"
#include "anx-feed-server.h"
#include "anx-feed-tokens.h"
#include "anx-sim-network.h"

#define DEFAULT_LISTEN "127.0.0.1:8420"
#define DEFAULT_SEED 2022

typedef struct
{
  char *listen;
  char *db;
  char *tokens;
  char *tls_cert;
  char *tls_key;
  gboolean allow_insecure_remote;
  char *simulate;
  gint64 seed;
  char *sim_scale;
  gboolean version;
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->listen, g_free);
  g_clear_pointer (&options->db, g_free);
  g_clear_pointer (&options->tokens, g_free);
  g_clear_pointer (&options->tls_cert, g_free);
  g_clear_pointer (&options->tls_key, g_free);
  g_clear_pointer (&options->simulate, g_free);
  g_clear_pointer (&options->sim_scale, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static gboolean
on_quit_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Stopping on signal");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_options (Options   *options,
               int       *argc,
               char    ***argv,
               GError   **error)
{
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &options->listen,
      N_("Address to listen on, 127.0.0.1:PORT or [::1]:PORT; PORT 0 picks a free port "
          "(default 127.0.0.1:8420)"),
      N_("HOST:PORT") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &options->db,
      N_("The SQLite ledger (default $XDG_DATA_HOME/anxin-feedd/ledger.sqlite)"), N_("PATH") },
    { "tokens", 0, 0, G_OPTION_ARG_FILENAME, &options->tokens,
      N_("The tokens file, role:name:sha256 per line; generated with an admin token if missing "
          "(default $XDG_CONFIG_HOME/anxin-feedd/tokens)"),
      N_("FILE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_cert,
      N_("PEM certificate (chain) for https"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_key,
      N_("PEM private key for --tls-cert"), N_("FILE") },
    { "allow-insecure-remote", 0, 0, G_OPTION_ARG_NONE, &options->allow_insecure_remote,
      N_("Allow plain http on an address that is not loopback (tokens travel in clear)"), NULL },
    { "simulate", 0, 0, G_OPTION_ARG_STRING, &options->simulate,
      N_("Load a simulated registry into an empty ledger; the only network is “hangzhou”"),
      N_("NETWORK") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &options->seed, N_("Simulator seed (default 2022)"),
      N_("N") },
    { "sim-scale", 0, 0, G_OPTION_ARG_STRING, &options->sim_scale,
      N_("Simulator size: tiny, small, hangzhou (the default: 91 operators, 1,016 stations, "
          "12,258 chargers) or province"),
      N_("SCALE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, N_("Print the version and exit"),
      NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;

  options->seed = DEFAULT_SEED;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Serve the regulator feed of charger supervision: the "
                                            "registry from an SQLite ledger, to bearer tokens."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("Unexpected argument “%s”"),
                   (*argv)[1]);
      return FALSE;
    }

  if ((options->tls_cert == NULL) != (options->tls_key == NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--tls-cert and --tls-key go together"));
      return FALSE;
    }

  if (options->simulate != NULL && !g_str_equal (options->simulate, "hangzhou"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Unknown network “%s” for --simulate; the simulator knows “hangzhou”"),
                   options->simulate);
      return FALSE;
    }

  if (options->simulate == NULL && options->sim_scale != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--sim-scale needs --simulate hangzhou"));
      return FALSE;
    }

  if (options->seed < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--seed must not be negative"));
      return FALSE;
    }

  if (options->listen == NULL)
    options->listen = g_strdup (DEFAULT_LISTEN);
  if (options->db == NULL)
    options->db = g_build_filename (g_get_user_data_dir (), "anxin-feedd", "ledger.sqlite", NULL);
  if (options->tokens == NULL)
    options->tokens = g_build_filename (g_get_user_config_dir (), "anxin-feedd", "tokens", NULL);
  if (options->simulate != NULL && options->sim_scale == NULL)
    options->sim_scale = g_strdup ("hangzhou");

  return TRUE;
}

static gboolean
ensure_parent_directory (const char  *path,
                         GError     **error)
{
  g_autofree char *directory = g_path_get_dirname (path);

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the directory %s: %s"), directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
run (Options  *options,
     GError  **error)
{
  g_autoptr(AnxFeedLedger) ledger = NULL;
  g_autoptr(AnxFeedTokens) tokens = NULL;
  g_autoptr(AnxFeedServer) server = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *generated_token_path = NULL;
  g_autofree char *uri = NULL;
  guint sigterm_id, sigint_id;

  address = anx_feed_server_parse_address (options->listen, error);
  if (address == NULL)
    return FALSE;

  if (options->tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (options->tls_cert, options->tls_key, error);
      if (certificate == NULL)
        return FALSE;
    }

  if (!ensure_parent_directory (options->db, error))
    return FALSE;
  ledger = anx_feed_ledger_open (options->db, error);
  if (ledger == NULL)
    return FALSE;

  if (options->simulate != NULL)
    {
      AnxSimParams params;
      gboolean loaded_now = FALSE;
      gint64 start = g_get_monotonic_time ();

      if (!anx_sim_params_init_scale (&params, options->sim_scale, (guint64) options->seed,
                                      error) ||
          !anx_feed_ledger_load_simulation (ledger, options->sim_scale, &params, &loaded_now,
                                            error))
        return FALSE;

      if (loaded_now)
        g_message ("Simulated %s (scale %s, seed %" G_GINT64_FORMAT ") in %.0f ms",
                   options->simulate, options->sim_scale, options->seed,
                   (g_get_monotonic_time () - start) / 1000.0);
      else
        g_message ("The ledger already holds this simulated registry; keeping it");
    }
  else
    {
      g_autoptr(JsonObject) registry = anx_feed_ledger_describe_registry (ledger, error);

      if (registry == NULL)
        return FALSE;
      if (json_object_get_size (registry) == 0)
        g_message ("The ledger %s holds no registry; --simulate hangzhou loads a simulated one",
                   options->db);
    }

  tokens = anx_feed_tokens_load_or_generate (options->tokens, &generated_token_path, error);
  if (tokens == NULL)
    return FALSE;

  server = anx_feed_server_new (ledger, tokens);
  if (!anx_feed_server_listen (server, address, certificate, options->allow_insecure_remote, error))
    return FALSE;

  /* Said once, on the run that created it; the token itself is only in
   * the file. */
  if (generated_token_path != NULL)
    g_print (_("anxin-feedd: generated an admin token; it is in %s (readable by you only)\n"),
             generated_token_path);

  /* Before the line below, so whoever reads it may signal at once. */
  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);

  uri = anx_feed_server_get_uri (server);
  /* Tests and scripts read this line; it is not translated. */
  g_print ("anxin-feedd: listening on %s\n", uri);
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  anx_feed_server_disconnect (server);
  g_message ("Stopped");

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(Options) options = { 0 };
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("anxin-feedd");
  /* stdout carries the "listening on" line for scripts; every log record,
   * debug included, goes to stderr (or the journal). */
  g_log_writer_default_set_use_stderr (TRUE);

  if (!parse_options (&options, &argc, &argv, &error))
    {
      g_printerr ("anxin-feedd: %s\n", error->message);
      g_printerr (_("Try “anxin-feedd --help” for the options.\n"));
      return 2;
    }

  if (options.version)
    {
      g_print ("anxin-feedd %s (feed protocol v%d)\n", PACKAGE_VERSION, ANX_FEED_PROTOCOL_VERSION);
      return 0;
    }

  if (!run (&options, &error))
    {
      g_printerr ("anxin-feedd: %s\n", error->message);
      return 1;
    }

  return 0;
}
