/* anx-feed-simulator.c: the simulated network's live feed, into the ledger
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-feed-simulator"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "anx-feed-event.h"
#include "anx-feed-simulator.h"

/*
 * The engine runs in steps. Each step is one ledger transaction: the engine
 * writes through the AnxSimSink below into the open transaction (records,
 * live state, its own per-charger state, the ground truth), the step commits,
 * and only then are its events broadcast and its ground truth appended to
 * the file. A crash loses at most the step in progress, which the engine,
 * resumed from the states committed with the step before, produces again
 * identically.
 *
 * First the history (--backfill-days) is produced as fast as the machine
 * allows, in steps of thousands of records; then a timer advances the
 * simulated clock by --speed times the real time elapsed.
 */

#define LIVE_TICK_MS 500
/* Records per charger per simulated day, roughly (10 million a year over
 * 12,258 chargers), to size the backfill steps. */
#define RECORDS_PER_CHARGER_DAY 2.2
#define BACKFILL_STEP_RECORDS 3000.0

struct _AnxFeedSimulator
{
  GObject parent_instance;

  AnxFeedLedger *ledger;
  AnxFeedServer *server;
  AnxSimNetwork *network;
  AnxSimEngine *engine;

  gint64 time_us;         /* committed simulated time */
  gint64 backfill_end_us; /* live from here on */
  gint64 backfill_step_us;
  double speed;
  gint64 live_real_us;    /* real time of the last live step */

  char *ground_truth_path;
  int ground_truth_fd;
  gint64 ground_truth_lines; /* lines in the file */

  GError *step_error; /* the first write error of a step */
  guint source_id;
  gboolean failed;
};

G_DEFINE_FINAL_TYPE (AnxFeedSimulator, anx_feed_simulator, G_TYPE_OBJECT)

static void
anx_feed_simulator_finalize (GObject *object)
{
  AnxFeedSimulator *self = ANX_FEED_SIMULATOR (object);

  g_clear_handle_id (&self->source_id, g_source_remove);
  g_clear_pointer (&self->engine, anx_sim_engine_free);
  g_clear_object (&self->ledger);
  g_clear_object (&self->server);
  g_clear_pointer (&self->ground_truth_path, g_free);
  if (self->ground_truth_fd >= 0)
    close (self->ground_truth_fd);
  g_clear_error (&self->step_error);

  G_OBJECT_CLASS (anx_feed_simulator_parent_class)->finalize (object);
}

static void
anx_feed_simulator_class_init (AnxFeedSimulatorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = anx_feed_simulator_finalize;
}

static void
anx_feed_simulator_init (AnxFeedSimulator *self)
{
  self->ground_truth_fd = -1;
}

/* The sink: every call writes into the open transaction; the first error is
 * kept and fails the step. */

#define SINK_WRITE(self, call)                                       \
  G_STMT_START                                                       \
  {                                                                  \
    if ((self)->step_error == NULL && !(call))                       \
      g_assert ((self)->step_error != NULL);                         \
  }                                                                  \
  G_STMT_END

static gboolean
sink_get_chain_head (gpointer user_data,
                     guint    charger_id,
                     guint64 *sequence,
                     guint8  *hash)
{
  AnxFeedSimulator *self = user_data;

  return anx_feed_ledger_get_chain_head (self->ledger, charger_id, sequence, hash);
}

static void
sink_append_record (gpointer        user_data,
                    guint           charger_id,
                    AnxChainRecord *record)
{
  AnxFeedSimulator *self = user_data;
  GDateTime *recorded_at = anx_chain_record_get_recorded_at (record);
  gint64 time_us =
      g_date_time_to_unix (recorded_at) * G_USEC_PER_SEC + g_date_time_get_microsecond (recorded_at);

  SINK_WRITE (self, anx_feed_ledger_append_record (self->ledger, charger_id, record, time_us, NULL,
                                                   &self->step_error));
}

static void
sink_charger_status (gpointer            user_data,
                     guint               charger_id,
                     AnxSimChargerStatus status,
                     gint64              time_us)
{
  static const char *const names[] = {
    [ANX_SIM_CHARGER_AVAILABLE] = "available",
    [ANX_SIM_CHARGER_CHARGING] = "charging",
    [ANX_SIM_CHARGER_OFFLINE] = "offline",
    [ANX_SIM_CHARGER_FAULT] = "fault",
  };
  AnxFeedSimulator *self = user_data;
  const char *name = (guint) status < G_N_ELEMENTS (names) ? names[status] : "unknown";

  SINK_WRITE (self, anx_feed_ledger_charger_status (self->ledger, charger_id, name, time_us,
                                                    &self->step_error));
}

static void
sink_session_started (gpointer    user_data,
                      guint       charger_id,
                      const char *session_id,
                      gint64      time_us,
                      gint64      meter_start_wh)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_session_started (self->ledger, charger_id, session_id, time_us,
                                                     meter_start_wh, &self->step_error));
}

static void
sink_session_progress (gpointer    user_data,
                       guint       charger_id,
                       const char *session_id,
                       gint64      time_us,
                       gint64      power_w,
                       gint64      energy_wh,
                       gint64      amount_fen)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_session_progress (self->ledger, charger_id, session_id, time_us,
                                                      power_w, energy_wh, amount_fen,
                                                      &self->step_error));
}

static void
sink_session_ended (gpointer    user_data,
                    guint       charger_id,
                    const char *session_id,
                    gint64      time_us,
                    gint64      energy_wh,
                    gint64      amount_fen)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_session_ended (self->ledger, charger_id, session_id, time_us,
                                                   energy_wh, amount_fen, &self->step_error));
}

static void
sink_meter_key_changed (gpointer     user_data,
                        guint        charger_id,
                        const char  *meter_serial,
                        AnxMeterKey *public_key,
                        guint64      from_sequence)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_register_meter_key (self->ledger, charger_id, meter_serial,
                                                        public_key, from_sequence, self->time_us,
                                                        TRUE, &self->step_error));
}

static void
sink_ground_truth (gpointer    user_data,
                   const char *json_line)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_add_ground_truth (self->ledger, json_line, &self->step_error));
}

static void
sink_save_state (gpointer user_data,
                 guint    charger_id,
                 GBytes  *state)
{
  AnxFeedSimulator *self = user_data;

  SINK_WRITE (self, anx_feed_ledger_save_sim_state (self->ledger, charger_id, state,
                                                    &self->step_error));
}

static const AnxSimSink sink = {
  .get_chain_head = sink_get_chain_head,
  .append_record = sink_append_record,
  .charger_status = sink_charger_status,
  .session_started = sink_session_started,
  .session_progress = sink_session_progress,
  .session_ended = sink_session_ended,
  .meter_key_changed = sink_meter_key_changed,
  .ground_truth = sink_ground_truth,
  .save_state = sink_save_state,
};

static GBytes *
load_state (gpointer user_data,
            guint    charger_id)
{
  AnxFeedSimulator *self = user_data;

  return anx_feed_ledger_load_sim_state (self->ledger, charger_id);
}

/* The file follows the ledger: lines the ledger committed but the file
 * lacks (a crash between commit and write) are appended, a torn last line
 * is cut. */
static gboolean
sync_ground_truth (AnxFeedSimulator  *self,
                   GError           **error)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (self->ground_truth_fd < 0)
    return TRUE;

  lines = anx_feed_ledger_read_ground_truth (self->ledger, self->ground_truth_lines, error);
  if (lines == NULL)
    return FALSE;
  if (lines->len == 0)
    return TRUE;

  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (out, lines->pdata[i]);
      g_string_append_c (out, '\n');
    }

  for (gsize done = 0; done < out->len;)
    {
      gssize n = write (self->ground_truth_fd, out->str + done, out->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not write the ground truth to %s: %s"), self->ground_truth_path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize) n;
    }

  if (fsync (self->ground_truth_fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not write the ground truth to %s: %s"), self->ground_truth_path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  self->ground_truth_lines += lines->len;
  return TRUE;
}

static gboolean
open_ground_truth (AnxFeedSimulator  *self,
                   GError           **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  gsize keep = 0;

  if (self->ground_truth_path == NULL)
    return TRUE;

  if (g_file_test (self->ground_truth_path, G_FILE_TEST_EXISTS) &&
      !g_file_get_contents (self->ground_truth_path, &contents, &length, error))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\n')
      {
        keep = i + 1;
        self->ground_truth_lines++;
      }

  self->ground_truth_fd = g_open (self->ground_truth_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (self->ground_truth_fd < 0 || ftruncate (self->ground_truth_fd, (off_t) keep) != 0 ||
      lseek (self->ground_truth_fd, 0, SEEK_END) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not open the ground truth file %s: %s"), self->ground_truth_path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return sync_ground_truth (self, error);
}

static gboolean
set_meta_int (AnxFeedLedger  *ledger,
              const char     *key,
              gint64          value,
              GError        **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  return anx_feed_ledger_set_meta (ledger, key, text, error);
}

static gboolean
get_meta_int (AnxFeedLedger *ledger,
              const char    *key,
              gint64        *value)
{
  g_autofree char *text = anx_feed_ledger_get_meta (ledger, key, NULL);

  if (text == NULL)
    return FALSE;
  *value = g_ascii_strtoll (text, NULL, 10);
  return TRUE;
}

/* First start: the meters' keys into the registry, as of the chains' start. */
static gboolean
register_keys (AnxFeedSimulator  *self,
               GError           **error)
{
  g_autoptr(GPtrArray) events = NULL;
  const AnxSimMeter *meters;
  guint n_meters;

  if (!anx_feed_ledger_begin (self->ledger, error))
    return FALSE;

  meters = anx_sim_network_get_meters (self->network, &n_meters);
  for (guint i = 0; i < n_meters; i++)
    {
      g_autoptr(AnxMeterKey) key = anx_sim_engine_get_meter_key (self->engine, meters[i].id);

      if (key == NULL)
        continue;
      if (!anx_feed_ledger_register_meter_key (self->ledger, meters[i].charger_id,
                                               meters[i].serial, key, 0, self->time_us, FALSE,
                                               error))
        goto fail;
    }

  if (!set_meta_int (self->ledger, "sim_start_us", self->time_us, error) ||
      !set_meta_int (self->ledger, "sim_time_us", self->time_us, error) ||
      !set_meta_int (self->ledger, "sim_backfill_end_us", self->backfill_end_us, error))
    goto fail;

  events = anx_feed_ledger_commit (self->ledger, error);
  return events != NULL;

fail:
  anx_feed_ledger_rollback (self->ledger);
  return FALSE;
}

/**
 * anx_feed_parse_anomalies:
 * @text: `default`, `none`, or `NAME=RATE,…` (only the named anomalies,
 *   each with its probability per charger per simulated day)
 * @rates: (out): the rates
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text was understood
 */
gboolean
anx_feed_parse_anomalies (const char          *text,
                          AnxSimAnomalyRates  *rates,
                          GError             **error)
{
  g_auto(GStrv) items = NULL;

  if (g_strcmp0 (text, "default") == 0)
    {
      anx_sim_anomaly_rates_init_default (rates);
      return TRUE;
    }

  anx_sim_anomaly_rates_init_none (rates);
  if (g_strcmp0 (text, "none") == 0)
    return TRUE;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *equal = strchr (items[i], '=');
      g_autofree char *name = NULL;
      AnxSimAnomaly anomaly;
      char *end = NULL;
      double rate;

      if (equal == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” is not NAME=RATE"), items[i]);
          return FALSE;
        }
      name = g_strndup (items[i], equal - items[i]);
      if (!anx_sim_anomaly_from_string (name, &anomaly))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Unknown anomaly “%s”"), name);
          return FALSE;
        }
      rate = g_ascii_strtod (equal + 1, &end);
      if (end == equal + 1 || *end != '\0' || !(rate >= 0.0 && rate <= 1.0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The rate of “%s” must be a number from 0 to 1"), name);
          return FALSE;
        }
      rates->per_charger_day[anomaly] = rate;
    }

  return TRUE;
}

/**
 * anx_feed_simulator_new:
 * @ledger: the ledger holding the simulated registry
 * @server: (nullable): the server to broadcast committed events to
 * @network: the simulated network (the simulator keeps it, not a copy)
 * @rates: anomaly rates
 * @start_us: the simulated time the history starts at, on a first start
 * @backfill_days: days of history to produce before running live
 * @speed: simulated seconds per real second when live
 * @ground_truth_path: (nullable): where to append the injected anomalies
 * @error: return location for a #GError
 *
 * On a first start registers the meters' keys; after a restart resumes
 * from the state and time the ledger holds (@start_us and @backfill_days
 * are then those of the first start).
 *
 * Returns: (transfer full): the simulator, or %NULL
 */
AnxFeedSimulator *
anx_feed_simulator_new (AnxFeedLedger            *ledger,
                        AnxFeedServer            *server,
                        AnxSimNetwork            *network,
                        const AnxSimAnomalyRates *rates,
                        gint64                    start_us,
                        guint                     backfill_days,
                        double                    speed,
                        const char               *ground_truth_path,
                        GError                  **error)
{
  g_autoptr(AnxFeedSimulator) self = NULL;
  gboolean resumed;
  guint n_chargers;
  double step_days;

  g_return_val_if_fail (ANX_IS_FEED_LEDGER (ledger), NULL);
  g_return_val_if_fail (speed >= 0, NULL);

  self = g_object_new (ANX_TYPE_FEED_SIMULATOR, NULL);
  self->ledger = g_object_ref (ledger);
  self->server = server != NULL ? g_object_ref (server) : NULL;
  self->network = network;
  self->speed = speed;
  self->ground_truth_path = g_strdup (ground_truth_path);

  resumed = get_meta_int (ledger, "sim_time_us", &self->time_us);
  if (resumed)
    {
      if (!get_meta_int (ledger, "sim_start_us", &start_us) ||
          !get_meta_int (ledger, "sim_backfill_end_us", &self->backfill_end_us))
        {
          g_set_error (error, ANX_FEED_LEDGER_ERROR, ANX_FEED_LEDGER_ERROR_NOT_A_LEDGER,
                       _("The ledger’s simulator state is incomplete"));
          return NULL;
        }
    }
  else
    {
      self->time_us = start_us;
      self->backfill_end_us = start_us + (gint64) backfill_days * 24 * 3600 * G_USEC_PER_SEC;
    }

  anx_sim_network_get_chargers (network, &n_chargers);
  step_days = BACKFILL_STEP_RECORDS / (RECORDS_PER_CHARGER_DAY * MAX (n_chargers, 1));
  self->backfill_step_us =
      (gint64) (CLAMP (step_days, 1.0 / 24, 7.0) * 24 * 3600) * G_USEC_PER_SEC;

  /* The engine starts at the first start's time and resumes each charger
   * from its saved state. */
  self->engine = anx_sim_engine_new (network, rates, start_us, load_state, self, error);
  if (self->engine == NULL)
    return NULL;

  if (!resumed && !register_keys (self, error))
    return NULL;

  if (!open_ground_truth (self, error))
    return NULL;

  {
    g_autofree char *now = anx_feed_format_time (self->time_us);
    g_autofree char *live = anx_feed_format_time (self->backfill_end_us);

    g_message ("Simulation %s at %s; live from %s, %g× real time",
               resumed ? "resumed" : "started", now, live, speed);
  }

  return g_steal_pointer (&self);
}

/**
 * anx_feed_simulator_get_time:
 * @self: the simulator
 *
 * Returns: the simulated time committed last, µs since the Unix epoch
 */
gint64
anx_feed_simulator_get_time (AnxFeedSimulator *self)
{
  g_return_val_if_fail (ANX_IS_FEED_SIMULATOR (self), 0);

  return self->time_us;
}

/**
 * anx_feed_simulator_run_until:
 * @self: the simulator
 * @until_us: simulated time to run to
 * @error: return location for a #GError
 *
 * One step: runs the engine into one transaction, commits, broadcasts the
 * committed events and appends the ground truth to its file.
 *
 * Returns: %TRUE on success
 */
gboolean
anx_feed_simulator_run_until (AnxFeedSimulator  *self,
                              gint64             until_us,
                              GError           **error)
{
  g_autoptr(GPtrArray) events = NULL;

  g_return_val_if_fail (ANX_IS_FEED_SIMULATOR (self), FALSE);

  if (until_us <= self->time_us)
    return TRUE;

  if (!anx_feed_ledger_begin (self->ledger, error))
    return FALSE;

  /* History has no live sessions to watch (docs/feed-protocol.md). */
  anx_feed_ledger_set_progress_events (self->ledger, until_us > self->backfill_end_us);
  g_clear_error (&self->step_error);
  anx_sim_engine_run_until (self->engine, until_us, &sink, self);
  if (self->step_error != NULL)
    goto fail;

  if (!anx_feed_ledger_check_offline (self->ledger, until_us, &self->step_error) ||
      !set_meta_int (self->ledger, "sim_time_us", until_us, &self->step_error))
    goto fail;

  events = anx_feed_ledger_commit (self->ledger, error);
  if (events == NULL)
    return FALSE;

  self->time_us = until_us;
  if (self->server != NULL)
    anx_feed_server_broadcast (self->server, events);
  return sync_ground_truth (self, error);

fail:
  anx_feed_ledger_rollback (self->ledger);
  g_propagate_error (error, g_steal_pointer (&self->step_error));
  return FALSE;
}

static gboolean
on_step (gpointer user_data)
{
  AnxFeedSimulator *self = ANX_FEED_SIMULATOR (user_data);
  g_autoptr(GError) error = NULL;
  gboolean backfilling = self->time_us < self->backfill_end_us;
  gint64 now = g_get_monotonic_time ();
  gint64 target;

  if (backfilling)
    target = MIN (self->time_us + self->backfill_step_us, self->backfill_end_us);
  else
    target = self->time_us + (gint64) ((double) (now - self->live_real_us) * self->speed);
  self->live_real_us = now;

  if (!anx_feed_simulator_run_until (self, target, &error))
    {
      /* The engine has moved on from what the ledger holds: stop, and let
       * a restart resume from the ledger. */
      g_critical ("The simulation stopped: %s", error->message);
      self->failed = TRUE;
      self->source_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (!backfilling || self->time_us < self->backfill_end_us)
    return G_SOURCE_CONTINUE;

  /* The history is there: from now on at the timer's pace, if at all. */
  {
    g_autofree char *time = anx_feed_format_time (self->time_us);

    g_message ("Back-fill done at %s; %s", time,
               self->speed > 0 ? "running live" : "not running live (speed 0)");
  }
  self->source_id = self->speed > 0 ? g_timeout_add (LIVE_TICK_MS, on_step, self) : 0;
  return G_SOURCE_REMOVE;
}

/**
 * anx_feed_simulator_start:
 * @self: the simulator
 *
 * Runs the back-fill in steps from the main loop, then live.
 */
void
anx_feed_simulator_start (AnxFeedSimulator *self)
{
  g_return_if_fail (ANX_IS_FEED_SIMULATOR (self));

  g_clear_handle_id (&self->source_id, g_source_remove);
  self->live_real_us = g_get_monotonic_time ();
  if (self->time_us < self->backfill_end_us)
    self->source_id = g_idle_add (on_step, self);
  else if (self->speed > 0)
    self->source_id = g_timeout_add (LIVE_TICK_MS, on_step, self);
}

/**
 * anx_feed_simulator_stop:
 * @self: the simulator
 */
void
anx_feed_simulator_stop (AnxFeedSimulator *self)
{
  g_return_if_fail (ANX_IS_FEED_SIMULATOR (self));

  g_clear_handle_id (&self->source_id, g_source_remove);
}
