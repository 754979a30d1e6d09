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
#include "anx-feed-simulator.h"
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
  double speed;
  gint backfill_days;
  char *anomalies;
  char *ground_truth;
  char *sim_start;
  char *sim_signature;
  gint heartbeat;
  gint max_queue;
  gint64 retain_events;
  gint retain_days;
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
  g_clear_pointer (&options->anomalies, g_free);
  g_clear_pointer (&options->ground_truth, g_free);
  g_clear_pointer (&options->sim_start, g_free);
  g_clear_pointer (&options->sim_signature, g_free);
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
on_hangup (gpointer user_data)
{
  AnxFeedServer *server = user_data;
  g_autoptr(GError) error = NULL;

  if (!anx_feed_server_reload_tokens (server, &error))
    g_warning ("SIGHUP: keeping the tokens: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static gboolean
ledger_has_simulation (AnxFeedLedger *ledger)
{
  g_autofree char *time = anx_feed_ledger_get_meta (ledger, "sim_time_us", NULL);

  return time != NULL;
}

static gint64
simulator_clock (gpointer user_data)
{
  return anx_feed_simulator_get_time (user_data);
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
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &options->speed,
      N_("Run the simulation live, X simulated seconds per second (default 0: no live "
         "simulation)"),
      N_("X") },
    { "backfill-days", 0, 0, G_OPTION_ARG_INT, &options->backfill_days,
      N_("Simulate this many days of history first, as fast as possible (default 0)"),
      N_("DAYS") },
    { "anomalies", 0, 0, G_OPTION_ARG_STRING, &options->anomalies,
      N_("Injected anomalies: default, none, or NAME=RATE,… per charger and simulated day"),
      N_("SPEC") },
    { "ground-truth", 0, 0, G_OPTION_ARG_FILENAME, &options->ground_truth,
      N_("Append what the simulator injected to this file, one JSON object per line"),
      N_("FILE") },
    { "sim-signature", 0, 0, G_OPTION_ARG_STRING, &options->sim_signature,
      N_("Give every simulated meter this signature algorithm, e.g. ECDSA-secp256r1-SHA256 "
         "(default: Hangzhou's mix of P-256, SM2 and others)"),
      N_("ALGORITHM") },
    { "sim-start", 0, 0, G_OPTION_ARG_STRING, &options->sim_start,
      N_("Simulated time the history starts at, RFC 3339 (default: now minus the back-fill)"),
      N_("TIME") },
    { "heartbeat", 0, 0, G_OPTION_ARG_INT, &options->heartbeat,
      N_("Seconds between heartbeats on the stream (default 5)"), N_("SECONDS") },
    { "max-queue", 0, 0, G_OPTION_ARG_INT, &options->max_queue,
      N_("Events that may wait for a slow stream subscriber before it is dropped "
         "(default 10000)"),
      N_("N") },
    { "retain-events", 0, 0, G_OPTION_ARG_INT64, &options->retain_events,
      N_("Keep at most this many events in the log (default 5000000)"), N_("N") },
    { "retain-days", 0, 0, G_OPTION_ARG_INT, &options->retain_days,
      N_("Keep no event older than this many days (default 30)"), N_("DAYS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, N_("Print the version and exit"),
      NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = NULL;

  options->seed = DEFAULT_SEED;
  options->heartbeat = ANX_FEED_SERVER_DEFAULT_HEARTBEAT_S;
  options->max_queue = ANX_FEED_SERVER_DEFAULT_MAX_QUEUE;
  options->retain_events = ANX_FEED_LEDGER_DEFAULT_RETAIN_EVENTS;
  options->retain_days = ANX_FEED_LEDGER_DEFAULT_RETAIN_DAYS;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Serve the regulator feed of charger supervision from "
                                            "an SQLite ledger to bearer tokens: the registry, "
                                            "chains, events, alarms and a live stream."));
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

  if (options->simulate == NULL && (options->sim_scale != NULL || options->sim_signature != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--sim-scale and --sim-signature need --simulate hangzhou"));
      return FALSE;
    }

  if (options->sim_signature != NULL &&
      anx_signature_algorithm_from_ocmf (options->sim_signature) ==
          ANX_SIGNATURE_ALGORITHM_UNKNOWN)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Unknown signature algorithm “%s” for --sim-signature (e.g. "
                     "ECDSA-secp256r1-SHA256 or SM2-SM3)"),
                   options->sim_signature);
      return FALSE;
    }

  if (options->simulate == NULL &&
      (options->speed != 0 || options->backfill_days != 0 || options->anomalies != NULL ||
       options->ground_truth != NULL || options->sim_start != NULL))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--speed, --backfill-days, --anomalies, --ground-truth and "
                             "--sim-start need --simulate hangzhou"));
      return FALSE;
    }

  if (!(options->speed >= 0 && options->speed <= 1e7) || options->backfill_days < 0 ||
      options->backfill_days > 3660)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--speed must be from 0 to 10000000 and --backfill-days from 0 to "
                             "3660"));
      return FALSE;
    }

  if (options->heartbeat < 1 || options->heartbeat > 3600 || options->max_queue < 1 ||
      options->retain_events < 1 || options->retain_days < 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--heartbeat must be from 1 to 3600; --max-queue, --retain-events "
                             "and --retain-days must be positive"));
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
  if (options->anomalies == NULL)
    options->anomalies = g_strdup ("default");

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
  guint sigterm_id, sigint_id, sighup_id;
  AnxSimParams params;
  g_autoptr(AnxFeedSimulator) simulator = NULL;
  g_autoptr(AnxSimNetwork) network = NULL;

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

  anx_feed_ledger_set_retention (ledger, (guint64) options->retain_events,
                                 (guint) options->retain_days);

  if (options->simulate != NULL)
    {
      gboolean loaded_now = FALSE;
      gint64 start = g_get_monotonic_time ();

      if (!anx_sim_params_init_scale (&params, options->sim_scale, (guint64) options->seed,
                                      error))
        return FALSE;
      if (options->sim_signature != NULL)
        params.signature_algorithm = anx_signature_algorithm_from_ocmf (options->sim_signature);
      if (!anx_feed_ledger_load_simulation (ledger, options->sim_scale, &params, &loaded_now,
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
  anx_feed_server_set_heartbeat_interval (server, (guint) options->heartbeat);
  anx_feed_server_set_max_queue (server, (guint) options->max_queue);
  anx_feed_server_watch_tokens (server, options->tokens);
  if (!anx_feed_server_listen (server, address, certificate, options->allow_insecure_remote, error))
    return FALSE;

  /* Once a simulation ran in the ledger it resumes at every start. */
  if (options->simulate != NULL &&
      (options->speed > 0 || options->backfill_days > 0 || ledger_has_simulation (ledger)))
    {
      AnxSimAnomalyRates rates;
      gint64 start_us;

      if (!anx_feed_parse_anomalies (options->anomalies, &rates, error))
        return FALSE;

      if (options->sim_start != NULL)
        {
          g_autoptr(GDateTime) start = anx_chain_parse_time (options->sim_start, error);

          if (start == NULL)
            return FALSE;
          start_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
        }
      else
        {
          /* Whole minutes, so that the history looks like a meter's. */
          start_us = g_get_real_time () / (60 * G_USEC_PER_SEC) * 60 * G_USEC_PER_SEC -
                     (gint64) options->backfill_days * 24 * 3600 * G_USEC_PER_SEC;
        }

      network = anx_sim_network_new (&params, error);
      if (network == NULL)
        return FALSE;
      simulator = anx_feed_simulator_new (ledger, server, network, &rates, start_us,
                                          (guint) options->backfill_days, options->speed,
                                          options->ground_truth, error);
      if (simulator == NULL)
        return FALSE;
      anx_feed_server_set_clock (server, simulator_clock, simulator);
    }

  /* Said once, on the run that created it; the token itself is only in
   * the file. */
  if (generated_token_path != NULL)
    g_print (_("anxin-feedd: generated an admin token; it is in %s (readable by you only)\n"),
             generated_token_path);

  /* Before the line below, so whoever reads it may signal at once. */
  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sighup_id = g_unix_signal_add (SIGHUP, on_hangup, server);

  uri = anx_feed_server_get_uri (server);
  /* Tests and scripts read this line; it is not translated. */
  g_print ("anxin-feedd: listening on %s\n", uri);
  fflush (stdout);

  if (simulator != NULL)
    anx_feed_simulator_start (simulator);

  g_main_loop_run (loop);

  if (simulator != NULL)
    {
      anx_feed_simulator_stop (simulator);
      anx_feed_server_set_clock (server, NULL, NULL);
    }
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_source_remove (sighup_id);
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
