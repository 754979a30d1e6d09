/* anx-sim-engine.c: what happens on the simulated network — sessions, signed
 * meter readings, billing, chain records and injected anomalies
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model is described in docs/simulator.md; keep the two in step.
 *
 * Each charger is an independent process driven by its own state: two
 * xoshiro256** streams (load, anomalies), the meter's register and
 * pagination counter, the session in progress, pending anomalies. Running
 * it to a time T consumes exactly the random numbers of the events before
 * T, so the output does not depend on how a run is cut into calls, slices,
 * threads or restarts. Signatures are deterministic too: the nonce is
 * derived from the key and the message (like RFC 6979, with SHA-512), so
 * the same state always gives the same bytes.
 *
 * Work is done in slices of simulated time: worker threads (GThreadPool)
 * simulate and sign the chargers of a slice in parallel, each charger's
 * events into its own list; then the calling thread hands the lists to the
 * sink charger by charger, in charger id order, linking the records into
 * the chains (hashing is cheap, signing is not) and applying the chain
 * tampering that needs the hashes.
 *
 * Injected anomalies and what the core chain verifier (anx-chain-verifier.c)
 * raises for them — the ground-truth line of each names the findings, as
 * (sequence, code) pairs:
 *
 *   over-billing          energy-mismatch on every record of the meter while
 *                         it lasts (billed 2–8 % above metered, beyond the
 *                         accuracy class); one line per affected record
 *   amount-manipulation   amount-mismatch
 *   forged-signature      signature-invalid (signed with another key)
 *   corrupted-signature   signature-invalid (one hex digit of SD changed)
 *   chain-edited          chain-hash-mismatch and amount-mismatch (the amount
 *                         raised after the record was hashed)
 *   chain-removed         chain-sequence-gap on the record after the removed
 *                         one, and counter-gap there if the meter had signed
 *                         a record in the chain before
 *   chain-fork            chain-fork (a second record with the sequence)
 *   seal-opened           seal-opened (a seal record, action opened)
 *   meter-exchanged       none when the registry takes the new key reported
 *                         through meter_key_changed; meter-exchange-unregistered
 *                         when it does not
 *   clock-unsynchronised  clock-unsynchronised (TM status U)
 *   offline               no chain finding: status OFFLINE, nothing for
 *                         30–240 min, then AVAILABLE
 *   unregistered-key      unknown-meter-key (a record of a meter serial and key
 *                         never reported to the registry)
 */

#define G_LOG_DOMAIN "anx-sim-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "anx-finding.h"
#include "anx-sim-engine.h"
#include "anx-sim-random.h"
#include "anx-signature.h"

/* Same arithmetic on every machine: no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define STATE_VERSION     1
#define STATE_SIZE        363
#define CST_OFFSET        (8 * 3600)
#define DAY               86400
#define SLICE_SECONDS     (12 * 3600)
#define TURNOVER_SECONDS  120
#define PROGRESS_DC       60
#define PROGRESS_AC       300
#define NEVER             G_MAXINT64
#define MAX_SEGMENTS      32
#define MAX_SCALAR        48

/* Random streams, keyed by (seed, stream, charger id) */
enum
{
  STREAM_PROFILE = 101,
  STREAM_LOAD,
  STREAM_ANOMALY,
};

typedef enum
{
  MODE_IDLE,
  MODE_CHARGING,
  MODE_OFFLINE,
} Mode;

enum
{
  FLAG_ANNOUNCED = 1 << 0,       /* the first status was reported */
  FLAG_REMOVAL_PENDING = 1 << 1, /* a record was removed; the next shows it */
  FLAG_REMOVAL_COUNTER = 1 << 2, /* ... and its counter gap */
  FLAG_HEAD_VALID = 1 << 3,      /* head_sequence/head_hash are set */
};

/* Finding codes a ground-truth line can name */
enum
{
  CODE_HASH_MISMATCH = 1 << 0,
  CODE_SEQUENCE_GAP = 1 << 1,
  CODE_FORK = 1 << 2,
  CODE_SIGNATURE = 1 << 3,
  CODE_UNKNOWN_KEY = 1 << 4,
  CODE_CLOCK = 1 << 5,
  CODE_COUNTER_GAP = 1 << 6,
  CODE_ENERGY = 1 << 7,
  CODE_AMOUNT = 1 << 8,
  CODE_SEAL = 1 << 9,
};

static const char *const code_names[] = {
  ANX_FINDING_CHAIN_HASH_MISMATCH, ANX_FINDING_CHAIN_SEQUENCE_GAP, ANX_FINDING_CHAIN_FORK,
  ANX_FINDING_SIGNATURE_INVALID,   ANX_FINDING_UNKNOWN_METER_KEY,  ANX_FINDING_CLOCK_UNSYNCHRONISED,
  ANX_FINDING_COUNTER_GAP,         ANX_FINDING_ENERGY_MISMATCH,    ANX_FINDING_AMOUNT_MISMATCH,
  ANX_FINDING_SEAL_OPENED,
};

static const char *const anomaly_names[ANX_SIM_N_ANOMALIES] = {
  "over-billing",     "amount-manipulation", "forged-signature", "corrupted-signature",
  "chain-edited",     "chain-removed",       "chain-fork",       "seal-opened",
  "meter-exchanged",  "clock-unsynchronised", "offline",         "unregistered-key",
};

/* Sessions started per hour of the local day, relative. DC: ride-hailing
 * drivers charge at lunch (11:00–13:00 is a valley-price window in
 * Zhejiang) and after 22:00 (valley again), little in the 19–21 peak; AC:
 * offices by day, residents in the evening. */
static const double dc_hourly[24] = {
  1.20, 0.80, 0.50, 0.35, 0.30, 0.35, 0.50, 0.70, 0.80, 0.85, 1.00, 1.90,
  2.00, 1.30, 0.90, 0.85, 0.85, 0.90, 0.90, 0.70, 0.75, 0.95, 1.90, 1.60,
};
static const double ac_hourly[24] = {
  0.80, 0.50, 0.30, 0.20, 0.20, 0.20, 0.30, 0.60, 1.20, 1.30, 1.00, 1.10,
  1.20, 0.90, 0.80, 0.80, 0.80, 1.00, 1.30, 1.20, 1.20, 1.30, 1.70, 1.20,
};
/* Monday … Sunday */
static const double dc_weekday[7] = { 1.00, 1.00, 1.00, 1.00, 1.02, 0.97, 0.93 };
static const double ac_weekday[7] = { 0.95, 0.95, 0.95, 0.95, 0.98, 1.10, 1.12 };

/* Sessions per charger per day before losses to a busy charger,
 * calibrated so that Hangzhou scale gives about 10 million charge records
 * a year (bench-sim-engine and test-sim-engine print the figure). */
#define DC_SESSIONS_URBAN    5.1
#define DC_SESSIONS_SUBURBAN 3.4
#define AC_SESSIONS_URBAN    1.05
#define AC_SESSIONS_SUBURBAN 0.75

static const char *const exchange_reasons[] = {
  "周期轮换",
  "计量故障更换",
  "检定不合格更换",
};

typedef AnxSimRandom Rng;

/* Everything that is saved: the charger's whole future follows from it */
typedef struct
{
  gint64 now; /* simulated up to here (exclusive), Unix seconds */
  Rng load_rng;
  Rng anomaly_rng;
  guint8 mode;
  guint8 flags;
  guint32 generation;         /* meter exchanges so far */
  guint32 unregistered_count; /* unregistered meters seen so far */
  guint64 counter;            /* PG of the current meter's last record */
  guint64 meter_records;      /* its charge records in the chain */
  gint64 register_wh;
  guint64 sessions;
  gint64 session_start;
  gint64 session_end;
  gint64 session_energy_wh;
  gint64 next_progress;
  gint64 next_arrival;
  gint64 offline_until;
  gint64 next_day;
  gint64 pending[ANX_SIM_N_ANOMALIES];
  guint32 over_billing_permille;
  gint64 over_billing_since;
  gint64 over_billing_until;
  /* kept by the emitting side */
  guint64 head_sequence;
  guint8 head_hash[ANX_CHAIN_HASH_SIZE];
  guint64 removed_sequence;
  gint64 removed_time;
  guint64 exchange_sequence;
} ChargerState;

typedef enum
{
  ITEM_STATUS,
  ITEM_STARTED,
  ITEM_PROGRESS,
  ITEM_ENDED,
  ITEM_RECORD,
  ITEM_KEY_CHANGED,
  ITEM_TRUTH,
} ItemKind;

typedef enum
{
  TAMPER_NONE,
  TAMPER_EDIT,
  TAMPER_REMOVE,
  TAMPER_FORK,
} Tamper;

#define MAX_TRUTHS 2

/* One thing a charger did in a slice, in time order */
typedef struct
{
  guint8 kind;
  guint8 status;
  guint8 tamper;
  guint8 after_removal; /* CODE_* bits the removal shows on this record */
  guint8 n_truths;
  gint64 time;
  guint64 session;
  gint64 a, b, c; /* started: meter start; progress: power, energy, amount;
                   * ended: energy, amount; record: tamper delta (fen) */
  AnxChainRecord *record;
  AnxMeterKey *key;
  char *serial;
  guint8 truth_anomaly[MAX_TRUTHS];
  guint16 truth_codes[MAX_TRUTHS];
  char *truth_extra[MAX_TRUTHS];
} Item;

typedef struct
{
  const AnxSimCharger *charger;
  const AnxSimMeter *meter;
  const AnxSimOperator *operator;
  AnxSignatureAlgorithm algorithm;
  gboolean dc;
  double sessions_per_day;

  ChargerState state;
  GArray *items; /* of Item: the current slice's output */

  /* key material of the current meter, derived on first use (worker) */
  gboolean key_valid;
  guint32 key_generation;
  guint8 scalar[MAX_SCALAR];
  gsize scalar_len;
  guint8 sm2_z[32];
} Charger;

/* Per task: OpenSSL objects are not shared between threads */
typedef struct
{
  AnxSimEngine *engine;
  BN_CTX *bn;
  EC_GROUP *groups[ANX_SIGNATURE_ALGORITHM_LAST];
  EVP_MD_CTX *md_ctx;
} Crypto;

/* A slice of chargers to simulate, or (with @meter_ids) keys to derive */
typedef struct
{
  guint first;
  guint last;
  gint64 until;
  const guint *meter_ids;
  AnxMeterKey **keys;
} Task;

/* Registered keys are derived this many at a time, on all cores: a feed
 * server asks for every meter's key at start-up. */
#define KEY_BATCH 1024

/* Multiples of the generator for a fixed-base comb: OpenSSL has a fast
 * path for P-256 only, and the other curves (SM2, secp256k1, brainpool,
 * P-384) would spend most of the simulator's time doubling. Point j of
 * window i is j · 2^(6i) · G, in affine form; built once per curve and then
 * only read, by every thread. */
#define COMB_BITS 6
#define COMB_SIZE ((1 << COMB_BITS) - 1)

typedef struct
{
  EC_GROUP *group;
  guint n_windows;
  EC_POINT **points;
} BaseTable;

struct _AnxSimEngine
{
  AnxSimNetwork *network;
  AnxSimAnomalyRates rates;
  gboolean any_rate;
  guint64 seed;
  gint64 start;
  gint64 time_us;
  GTimeZone *cst;

  Charger *chargers;
  guint n_chargers;

  EVP_MD *sha256;
  EVP_MD *sha512;
  EVP_MD *sm3;

  GThreadPool *pool;
  guint n_threads;
  GMutex lock;
  GCond done;
  guint tasks_left;
  guint key_tasks_left;

  GMutex keys_lock;
  GHashTable *keys; /* meter id → AnxMeterKey (generation 0) */

  GMutex tables_lock;
  BaseTable *tables[ANX_SIGNATURE_ALGORITHM_LAST];
};

/* Random numbers ------------------------------------------------------- */


/* Uniform in [lo, hi] */
static gint64
rng_range (Rng    *rng,
           gint64  lo,
           gint64  hi)
{
  return lo + (gint64) anx_sim_random_below (rng, (guint64) (hi - lo + 1));
}

static double
rng_gaussian (Rng *rng)
{
  double u1 = 1.0 - anx_sim_random_double (rng);
  double u2 = anx_sim_random_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/* Calendar (China Standard Time, no daylight saving) -------------------- */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static void
civil_from_days (gint64  days,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 z = days + 719468;
  gint64 era = floor_div (z, 146097);
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;

  *year = (int) (yoe + era * 400 + (m <= 2));
  *month = (int) m;
  *day = (int) d;
}

typedef struct
{
  int year, month, day, hour, minute, second;
  int weekday; /* Monday 0 */
} Civil;

static void
local_civil (gint64  t,
             Civil  *c)
{
  gint64 local = t + CST_OFFSET;
  gint64 days = floor_div (local, DAY);
  gint64 sec = local - days * DAY;

  civil_from_days (days, &c->year, &c->month, &c->day);
  c->hour = (int) (sec / 3600);
  c->minute = (int) (sec % 3600 / 60);
  c->second = (int) (sec % 60);
  c->weekday = (int) ((days % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

/* The first local midnight strictly after @t */
static gint64
next_midnight (gint64 t)
{
  return (floor_div (t + CST_OFFSET, DAY) + 1) * DAY - CST_OFFSET;
}

/* 2022-05-20T12:34:56+08:00 */
static void
format_rfc3339 (gint64  t,
                char   *buf,
                gsize   size)
{
  Civil c;

  local_civil (t, &c);
  g_snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", c.year, c.month, c.day, c.hour,
              c.minute, c.second);
}

/* OCMF TM: 2022-05-20T12:34:56,000+0800 S */
static void
format_ocmf_time (gint64  t,
                  char    clock,
                  char   *buf,
                  gsize   size)
{
  Civil c;

  local_civil (t, &c);
  g_snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d,000+0800 %c", c.year, c.month, c.day,
              c.hour, c.minute, c.second, clock);
}

static GDateTime *
date_time_new (AnxSimEngine *engine,
               gint64        t)
{
  Civil c;

  local_civil (t, &c);
  return g_date_time_new (engine->cst, c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/* Load ------------------------------------------------------------------ */

static double
mean_of (const double *values,
         guint         n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += values[i];
  return sum / n;
}

static double
max_of (const double *values,
        guint         n)
{
  double max = 0;

  for (guint i = 0; i < n; i++)
    max = MAX (max, values[i]);
  return max;
}

/* Arrival rate at @t relative to the charger's mean */
static double
load_factor (gboolean dc,
             gint64   t)
{
  const double *hourly = dc ? dc_hourly : ac_hourly;
  const double *weekday = dc ? dc_weekday : ac_weekday;
  Civil c;

  local_civil (t, &c);
  return hourly[c.hour] / mean_of (hourly, 24) * weekday[c.weekday] / mean_of (weekday, 7);
}

static double
max_load_factor (gboolean dc)
{
  const double *hourly = dc ? dc_hourly : ac_hourly;
  const double *weekday = dc ? dc_weekday : ac_weekday;

  return max_of (hourly, 24) / mean_of (hourly, 24) * max_of (weekday, 7) / mean_of (weekday, 7);
}

/* The next arrival at or after @from: a Poisson process with the daily
 * curve's rate, drawn by thinning. */
static gint64
draw_arrival (Charger *c,
              gint64   from)
{
  double lambda_max = c->sessions_per_day / DAY * max_load_factor (c->dc);
  double t = (double) from;

  if (c->sessions_per_day <= 0)
    return NEVER;

  for (;;)
    {
      double u = anx_sim_random_double (&c->state.load_rng);
      double accept = anx_sim_random_double (&c->state.load_rng);
      gint64 candidate;

      t += -log (1.0 - u) / lambda_max;
      candidate = (gint64) ceil (t);
      if (accept * lambda_max < c->sessions_per_day / DAY * load_factor (c->dc, candidate))
        return candidate;
    }
}

/* Share of a session's energy delivered after fraction @x of its time: DC
 * charges at full power to 70 % of the time, then tapers to 30 %; AC is
 * flat. */
static double
energy_fraction (gboolean dc,
                 double   x)
{
  x = CLAMP (x, 0.0, 1.0);
  if (!dc)
    return x;
  if (x <= 0.7)
    return x / 0.895;
  return (0.7 + (x - 0.7) - 0.7 / 0.3 * (x - 0.7) * (x - 0.7) / 2.0) / 0.895;
}

static double
power_fraction (gboolean dc,
                double   x)
{
  if (!dc || x <= 0.7)
    return dc ? 1.0 / 0.895 : 1.0;
  return (1.0 - (x - 0.7) / 0.3 * 0.7) / 0.895;
}

/* Energy (Wh) of the session in progress by @t */
static gint64
session_energy_at (Charger *c,
                   gint64   t)
{
  ChargerState *st = &c->state;
  double x;

  if (t >= st->session_end)
    return st->session_energy_wh;
  if (t <= st->session_start)
    return 0;
  x = (double) (t - st->session_start) / (double) (st->session_end - st->session_start);
  return (gint64) floor (st->session_energy_wh * energy_fraction (c->dc, x) + 0.5);
}

/* Tariff ---------------------------------------------------------------- */

typedef struct
{
  AnxSimTariffBand band;
  gint64 wh;
} Segment;

static const char *
band_label (AnxSimTariffBand band)
{
  switch (band)
    {
    case ANX_SIM_TARIFF_BAND_PEAK:
      return "峰";
    case ANX_SIM_TARIFF_BAND_FLAT:
      return "平";
    case ANX_SIM_TARIFF_BAND_VALLEY:
    default:
      return "谷";
    }
}

static gint64
band_price_millifen (const AnxSimTariff *tariff,
                     AnxSimTariffBand    band)
{
  guint fen;

  switch (band)
    {
    case ANX_SIM_TARIFF_BAND_PEAK:
      fen = tariff->peak_fen_per_kwh;
      break;
    case ANX_SIM_TARIFF_BAND_FLAT:
      fen = tariff->flat_fen_per_kwh;
      break;
    case ANX_SIM_TARIFF_BAND_VALLEY:
    default:
      fen = tariff->valley_fen_per_kwh;
      break;
    }
  return (gint64) (fen + tariff->service_fen_per_kwh) * 1000;
}

/* Splits the session's energy from its start to @until by time-of-use
 * band, in time order, adjacent periods of one band merged. */
static guint
split_by_band (Charger *c,
               gint64   until,
               Segment *out)
{
  const AnxSimTariff *tariff = &c->operator->tariff;
  gint64 cursor = c->state.session_start;
  gint64 previous = 0;
  guint n = 0;

  until = MIN (until, c->state.session_end);
  while (cursor < until)
    {
      gint64 local = cursor + CST_OFFSET;
      gint64 second = local - floor_div (local, DAY) * DAY;
      guint minute = (guint) (second / 60);
      AnxSimTariffBand band = ANX_SIM_TARIFF_BAND_FLAT;
      gint64 period_end = cursor - second + DAY;
      gint64 end, energy;

      for (guint i = 0; i < tariff->n_periods; i++)
        if (tariff->periods[i].start_minute <= minute && minute < tariff->periods[i].end_minute)
          {
            band = tariff->periods[i].band;
            period_end = cursor - second + (gint64) tariff->periods[i].end_minute * 60;
            break;
          }

      end = MIN (until, period_end);
      energy = session_energy_at (c, end);
      if (energy > previous)
        {
          if (n > 0 && out[n - 1].band == band)
            out[n - 1].wh += energy - previous;
          else if (n < MAX_SEGMENTS)
            out[n++] = (Segment){ band, energy - previous };
          else
            out[n - 1].wh += energy - previous;
        }
      previous = MAX (previous, energy);
      cursor = end;
    }
  return n;
}

/* Scales the segments to @billed Wh in total, exactly */
static void
scale_segments (Segment *segments,
                guint    n,
                gint64   billed)
{
  gint64 metered = 0, cumulative = 0, previous = 0;

  for (guint i = 0; i < n; i++)
    metered += segments[i].wh;
  if (metered <= 0 || metered == billed)
    return;
  for (guint i = 0; i < n; i++)
    {
      gint64 scaled;

      cumulative += segments[i].wh;
      /* sessions are far below 10⁹ Wh, so the product fits */
      scaled = (billed * cumulative + metered / 2) / metered;
      segments[i].wh = scaled - previous;
      previous = scaled;
    }
}

/* The billing rule of docs/feed-protocol.md */
static gint64
tariff_amount (const AnxSimTariff *tariff,
               const Segment      *segments,
               guint               n)
{
  guint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += (guint64) segments[i].wh * (guint64) band_price_millifen (tariff, segments[i].band);
  return (gint64) ((total + 500000) / 1000000);
}

/* Keys and signatures --------------------------------------------------- */

static EC_GROUP *
crypto_group (Crypto                *crypto,
              AnxSignatureAlgorithm  algorithm)
{
  if (crypto->groups[algorithm] == NULL)
    {
      const char *curve = anx_signature_algorithm_get_curve (algorithm);
      int nid = algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3 ? NID_sm2 : OBJ_sn2nid (curve);

      crypto->groups[algorithm] = EC_GROUP_new_by_curve_name (nid);
      if (crypto->groups[algorithm] == NULL)
        g_error ("OpenSSL has no curve %s", curve);
    }
  return crypto->groups[algorithm];
}

static void
base_table_free (BaseTable *table)
{
  for (guint i = 0; i < table->n_windows * COMB_SIZE; i++)
    EC_POINT_free (table->points[i]);
  g_free (table->points);
  EC_GROUP_free (table->group);
  g_free (table);
}

static BaseTable *
base_table_new (AnxSignatureAlgorithm algorithm)
{
  const char *curve = anx_signature_algorithm_get_curve (algorithm);
  int nid = algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3 ? NID_sm2 : OBJ_sn2nid (curve);
  BaseTable *table = g_new0 (BaseTable, 1);
  BN_CTX *ctx = BN_CTX_new ();
  BIGNUM *x = BN_new ();
  BIGNUM *y = BN_new ();
  EC_POINT *base, *sum;
  gboolean ok = TRUE;

  table->group = EC_GROUP_new_by_curve_name (nid);
  if (table->group == NULL || ctx == NULL || y == NULL)
    g_error ("OpenSSL has no curve %s", curve);
  table->n_windows = (guint) (BN_num_bits (EC_GROUP_get0_order (table->group)) + COMB_BITS - 1) /
                     COMB_BITS;
  table->points = g_new0 (EC_POINT *, table->n_windows * COMB_SIZE);
  base = EC_POINT_dup (EC_GROUP_get0_generator (table->group), table->group);
  sum = EC_POINT_new (table->group);

  for (guint i = 0; i < table->n_windows && ok; i++)
    {
      ok = EC_POINT_set_to_infinity (table->group, sum) == 1;
      for (guint j = 0; j < COMB_SIZE && ok; j++)
        {
          EC_POINT *point = EC_POINT_new (table->group);

          ok = point != NULL && EC_POINT_add (table->group, sum, sum, base, ctx) == 1 &&
               EC_POINT_get_affine_coordinates (table->group, sum, x, y, ctx) == 1 &&
               EC_POINT_set_affine_coordinates (table->group, point, x, y, ctx) == 1;
          table->points[i * COMB_SIZE + j] = point;
        }
      for (guint b = 0; b < COMB_BITS && ok; b++)
        ok = EC_POINT_dbl (table->group, base, base, ctx) == 1;
    }
  if (!ok)
    g_error ("OpenSSL could not precompute multiples on %s", curve);

  EC_POINT_free (base);
  EC_POINT_free (sum);
  BN_free (x);
  BN_free (y);
  BN_CTX_free (ctx);
  return table;
}

static const BaseTable *
engine_base_table (AnxSimEngine          *engine,
                   AnxSignatureAlgorithm  algorithm)
{
  BaseTable *table;

  g_mutex_lock (&engine->tables_lock);
  if (engine->tables[algorithm] == NULL)
    engine->tables[algorithm] = base_table_new (algorithm);
  table = engine->tables[algorithm];
  g_mutex_unlock (&engine->tables_lock);
  return table;
}

/* @r = @k · G (0 < k < n) */
static void
base_mul (Crypto                *crypto,
          AnxSignatureAlgorithm  algorithm,
          EC_POINT              *r,
          const BIGNUM          *k)
{
  const EC_GROUP *group = crypto_group (crypto, algorithm);
  const BaseTable *table;
  guint8 bytes[80];
  int n;

  if (algorithm == ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256)
    {
      if (EC_POINT_mul (group, r, k, NULL, NULL, crypto->bn) != 1)
        g_error ("OpenSSL failed");
      return;
    }

  table = engine_base_table (crypto->engine, algorithm);
  n = (int) (table->n_windows * COMB_BITS + 7) / 8;
  if (BN_bn2binpad (k, bytes, n) != n || EC_POINT_set_to_infinity (group, r) != 1)
    g_error ("OpenSSL failed");
  for (guint i = 0; i < table->n_windows; i++)
    {
      guint digit = 0;

      for (guint b = 0; b < COMB_BITS; b++)
        {
          guint bit = i * COMB_BITS + b;

          if (bytes[n - 1 - (int) (bit / 8)] & (1u << (bit % 8)))
            digit |= 1u << b;
        }
      if (digit != 0 &&
          EC_POINT_add (group, r, r, table->points[i * COMB_SIZE + digit - 1], crypto->bn) != 1)
        g_error ("OpenSSL failed");
    }
}

static void
crypto_init (Crypto       *crypto,
             AnxSimEngine *engine)
{
  memset (crypto, 0, sizeof *crypto);
  crypto->engine = engine;
  crypto->bn = BN_CTX_new ();
  crypto->md_ctx = EVP_MD_CTX_new ();
  if (crypto->bn == NULL || crypto->md_ctx == NULL)
    g_error ("Out of memory for OpenSSL contexts");
}

static void
crypto_clear (Crypto *crypto)
{
  for (guint i = 0; i < G_N_ELEMENTS (crypto->groups); i++)
    EC_GROUP_free (crypto->groups[i]);
  BN_CTX_free (crypto->bn);
  EVP_MD_CTX_free (crypto->md_ctx);
}

static void
digest (Crypto       *crypto,
        const EVP_MD *md,
        const void   *a,
        gsize         a_len,
        const void   *b,
        gsize         b_len,
        guint8       *out)
{
  unsigned int len = 0;

  if (EVP_DigestInit_ex (crypto->md_ctx, md, NULL) != 1 ||
      EVP_DigestUpdate (crypto->md_ctx, a, a_len) != 1 ||
      (b_len > 0 && EVP_DigestUpdate (crypto->md_ctx, b, b_len) != 1) ||
      EVP_DigestFinal_ex (crypto->md_ctx, out, &len) != 1)
    g_error ("OpenSSL digest failed");
}

/* The private scalar of a simulated key: HMAC-SHA256 of the seed and the
 * key's identity, expanded to 64 bytes and reduced into [1, n − 2]. */
static gsize
derive_scalar (Crypto                *crypto,
               AnxSignatureAlgorithm  algorithm,
               const char            *purpose,
               guint32                id,
               guint32                index,
               guint8                *out)
{
  const BIGNUM *order = EC_GROUP_get0_order (crypto_group (crypto, algorithm));
  guint8 key[32];
  guint8 material[64];
  gsize order_len = (gsize) BN_num_bytes (order);
  BIGNUM *x, *range;

  memset (key, 0, sizeof key);
  memcpy (key, "anxin.sim.meter-key.v1", 22);
  for (guint i = 0; i < 8; i++)
    key[24 + i] = (guint8) (crypto->engine->seed >> (8 * i));

  for (guint8 block = 1; block <= 2; block++)
    {
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, sizeof key);
      guint8 le[8];
      gsize len = 32;

      g_hmac_update (hmac, (const guchar *) purpose, (gssize) strlen (purpose) + 1);
      for (guint i = 0; i < 4; i++)
        le[i] = (guint8) (id >> (8 * i));
      for (guint i = 0; i < 4; i++)
        le[4 + i] = (guint8) (index >> (8 * i));
      g_hmac_update (hmac, le, sizeof le);
      g_hmac_update (hmac, &block, 1);
      g_hmac_get_digest (hmac, material + 32 * (block - 1), &len);
    }

  BN_CTX_start (crypto->bn);
  x = BN_CTX_get (crypto->bn);
  range = BN_CTX_get (crypto->bn);
  if (range == NULL || BN_bin2bn (material, sizeof material, x) == NULL ||
      BN_copy (range, order) == NULL || !BN_sub_word (range, 2) ||
      !BN_nnmod (x, x, range, crypto->bn) || !BN_add_word (x, 1) ||
      BN_bn2binpad (x, out, (int) order_len) < 0)
    g_error ("OpenSSL could not derive a key");
  BN_CTX_end (crypto->bn);
  return order_len;
}

/* Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) with the default ID */
static void
sm2_z (Crypto       *crypto,
       const guint8 *scalar,
       gsize         scalar_len,
       guint8       *z)
{
  const EC_GROUP *group = crypto_group (crypto, ANX_SIGNATURE_ALGORITHM_SM2_SM3);
  static const char id[] = ANX_SM2_DEFAULT_ID;
  guint8 input[2 + sizeof id - 1 + 6 * 32];
  guint8 *p = input;
  EC_POINT *point = EC_POINT_new (group);
  BIGNUM *d, *a, *b, *x, *y;
  gboolean ok;

  BN_CTX_start (crypto->bn);
  d = BN_CTX_get (crypto->bn);
  a = BN_CTX_get (crypto->bn);
  b = BN_CTX_get (crypto->bn);
  x = BN_CTX_get (crypto->bn);
  y = BN_CTX_get (crypto->bn);
  *p++ = (guint8) (((sizeof id - 1) * 8) >> 8);
  *p++ = (guint8) ((sizeof id - 1) * 8);
  memcpy (p, id, sizeof id - 1);
  p += sizeof id - 1;
  ok = point != NULL && y != NULL && BN_bin2bn (scalar, (int) scalar_len, d) != NULL &&
       EC_GROUP_get_curve (group, NULL, a, b, crypto->bn) == 1 &&
       BN_bn2binpad (a, p, 32) == 32 && BN_bn2binpad (b, p + 32, 32) == 32 &&
       EC_POINT_get_affine_coordinates (group, EC_GROUP_get0_generator (group), x, y,
                                        crypto->bn) == 1 &&
       BN_bn2binpad (x, p + 64, 32) == 32 && BN_bn2binpad (y, p + 96, 32) == 32;
  if (ok)
    {
      /* the public key A = d · G */
      base_mul (crypto, ANX_SIGNATURE_ALGORITHM_SM2_SM3, point, d);
      ok = EC_POINT_get_affine_coordinates (group, point, x, y, crypto->bn) == 1 &&
           BN_bn2binpad (x, p + 128, 32) == 32 && BN_bn2binpad (y, p + 160, 32) == 32;
    }
  BN_CTX_end (crypto->bn);
  EC_POINT_free (point);
  if (!ok)
    g_error ("OpenSSL could not compute the SM2 Z value");
  digest (crypto, crypto->engine->sm3, input, sizeof input, NULL, 0, z);
}

static gsize
der_integer (const BIGNUM *value,
             guint8       *out)
{
  guint8 buf[80];
  int len = BN_bn2bin (value, buf);
  gsize pad = (buf[0] & 0x80) ? 1 : 0;

  out[0] = 0x02;
  out[1] = (guint8) (len + (int) pad);
  if (pad)
    out[2] = 0;
  memcpy (out + 2 + pad, buf, (gsize) len);
  return 2 + pad + (gsize) len;
}

/* Signs @message like the meter would, with a deterministic nonce, and
 * writes the DER signature as upper-case hex into @hex. ECDSA: SHA-256;
 * SM2: SM3 with Z (@z, default ID). */
static void
sign_hex (Crypto                *crypto,
          AnxSignatureAlgorithm  algorithm,
          const guint8          *scalar,
          gsize                  scalar_len,
          const guint8          *z,
          const char            *message,
          gsize                  message_len,
          GString               *hex)
{
  const EC_GROUP *group = crypto_group (crypto, algorithm);
  const BIGNUM *order = EC_GROUP_get0_order (group);
  gboolean sm2 = algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3;
  EC_POINT *point = EC_POINT_new (group);
  guint8 hash[32];
  guint8 nonce_input[MAX_SCALAR + 32 + 1];
  guint8 nonce[64];
  guint8 der[2 + 2 * (3 + MAX_SCALAR + 1)];
  gsize der_len;
  BIGNUM *d, *e, *k, *x, *r, *s, *t, *order_minus_1;
  int order_bits = BN_num_bits (order);

  if (sm2)
    digest (crypto, crypto->engine->sm3, z, 32, message, message_len, hash);
  else
    digest (crypto, crypto->engine->sha256, message, message_len, NULL, 0, hash);

  BN_CTX_start (crypto->bn);
  d = BN_CTX_get (crypto->bn);
  e = BN_CTX_get (crypto->bn);
  k = BN_CTX_get (crypto->bn);
  x = BN_CTX_get (crypto->bn);
  r = BN_CTX_get (crypto->bn);
  s = BN_CTX_get (crypto->bn);
  t = BN_CTX_get (crypto->bn);
  order_minus_1 = BN_CTX_get (crypto->bn);
  if (point == NULL || order_minus_1 == NULL || BN_bin2bn (scalar, (int) scalar_len, d) == NULL ||
      BN_bin2bn (hash, sizeof hash, e) == NULL || BN_copy (order_minus_1, order) == NULL ||
      !BN_sub_word (order_minus_1, 1))
    g_error ("OpenSSL failed");
  /* ECDSA uses the leftmost bits of the hash when the order is shorter */
  if (!sm2 && order_bits < 256 && !BN_rshift (e, e, 256 - order_bits))
    g_error ("OpenSSL failed");

  memcpy (nonce_input, scalar, scalar_len);
  memcpy (nonce_input + scalar_len, hash, 32);
  for (guint8 attempt = 0;; attempt++)
    {
      nonce_input[scalar_len + 32] = attempt;
      digest (crypto, crypto->engine->sha512, nonce_input, scalar_len + 33, "anxin-sim-nonce", 15,
              nonce);
      if (BN_bin2bn (nonce, sizeof nonce, k) == NULL ||
          !BN_nnmod (k, k, order_minus_1, crypto->bn) || !BN_add_word (k, 1))
        g_error ("OpenSSL failed");
      base_mul (crypto, algorithm, point, k);
      if (EC_POINT_get_affine_coordinates (group, point, x, NULL, crypto->bn) != 1)
        g_error ("OpenSSL failed");

      if (sm2)
        {
          /* r = (e + x1) mod n; s = (1 + d)⁻¹ (k − r·d) mod n */
          if (!BN_mod_add (r, e, x, order, crypto->bn))
            g_error ("OpenSSL failed");
          if (BN_is_zero (r) || (BN_add (t, r, k) && BN_cmp (t, order) == 0))
            continue;
          if (BN_copy (t, d) == NULL || !BN_add_word (t, 1) ||
              BN_mod_inverse (t, t, order, crypto->bn) == NULL ||
              !BN_mod_mul (s, r, d, order, crypto->bn) ||
              !BN_mod_sub (s, k, s, order, crypto->bn) ||
              !BN_mod_mul (s, s, t, order, crypto->bn))
            g_error ("OpenSSL failed");
        }
      else
        {
          /* r = x1 mod n; s = k⁻¹ (e + r·d) mod n */
          if (!BN_nnmod (r, x, order, crypto->bn))
            g_error ("OpenSSL failed");
          if (BN_is_zero (r))
            continue;
          if (BN_mod_inverse (t, k, order, crypto->bn) == NULL ||
              !BN_mod_mul (s, r, d, order, crypto->bn) ||
              !BN_mod_add (s, s, e, order, crypto->bn) ||
              !BN_mod_mul (s, s, t, order, crypto->bn))
            g_error ("OpenSSL failed");
        }
      if (!BN_is_zero (s))
        break;
    }

  der_len = 2;
  der_len += der_integer (r, der + der_len);
  der_len += der_integer (s, der + der_len);
  der[0] = 0x30;
  der[1] = (guint8) (der_len - 2);
  BN_CTX_end (crypto->bn);
  EC_POINT_free (point);

  for (gsize i = 0; i < der_len; i++)
    {
      static const char digits[] = "0123456789ABCDEF";

      g_string_append_c (hex, digits[der[i] >> 4]);
      g_string_append_c (hex, digits[der[i] & 15]);
    }
}

/* The current meter's key material, derived once per generation */
static void
charger_key (Crypto  *crypto,
             Charger *c)
{
  if (c->key_valid && c->key_generation == c->state.generation)
    return;
  c->scalar_len = derive_scalar (crypto, c->algorithm, "meter", c->meter->id,
                                 c->state.generation, c->scalar);
  if (c->algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3)
    sm2_z (crypto, c->scalar, c->scalar_len, c->sm2_z);
  c->key_generation = c->state.generation;
  c->key_valid = TRUE;
}

static AnxMeterKey *
make_meter_key (Crypto                *crypto,
                AnxSignatureAlgorithm  algorithm,
                const char            *purpose,
                guint32                id,
                guint32                index)
{
  g_autoptr(GError) error = NULL;
  guint8 scalar[MAX_SCALAR];
  gsize len = derive_scalar (crypto, algorithm, purpose, id, index, scalar);
  AnxMeterKey *key = anx_meter_key_new_from_private_scalar (algorithm, scalar, len, &error);

  OPENSSL_cleanse (scalar, sizeof scalar);
  if (key == NULL)
    g_error ("Could not make a simulated meter key: %s", error->message);
  return key;
}

/* Serials --------------------------------------------------------------- */

static char *
meter_serial (Charger *c,
              guint32  generation)
{
  if (generation == 0)
    return g_strdup (c->meter->serial);
  return g_strdup_printf ("%s-R%u", c->meter->serial, generation);
}

static char *
unregistered_serial (Charger *c)
{
  g_autofree char *serial = meter_serial (c, c->state.generation);

  return g_strdup_printf ("%s-U%u", serial, c->state.unregistered_count);
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Items ----------------------------------------------------------------- */

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->record, anx_chain_record_unref);
  g_clear_pointer (&item->key, anx_meter_key_unref);
  g_clear_pointer (&item->serial, g_free);
  for (guint i = 0; i < MAX_TRUTHS; i++)
    g_clear_pointer (&item->truth_extra[i], g_free);
}

static Item *
add_item (Charger  *c,
          ItemKind  kind,
          gint64    time)
{
  Item item = { 0 };

  item.kind = (guint8) kind;
  item.time = time;
  g_array_append_val (c->items, item);
  return &g_array_index (c->items, Item, c->items->len - 1);
}

static void
add_status (Charger             *c,
            AnxSimChargerStatus  status,
            gint64               time)
{
  add_item (c, ITEM_STATUS, time)->status = (guint8) status;
}

static void
add_truth (Item          *item,
           AnxSimAnomaly  anomaly,
           guint          codes,
           char          *extra)
{
  g_assert (item->n_truths < MAX_TRUTHS);
  item->truth_anomaly[item->n_truths] = (guint8) anomaly;
  item->truth_codes[item->n_truths] = (guint16) codes;
  item->truth_extra[item->n_truths] = extra;
  item->n_truths++;
}

/* The charger's simulation (worker threads) ----------------------------- */

static gboolean
is_record_anomaly (AnxSimAnomaly anomaly)
{
  switch (anomaly)
    {
    case ANX_SIM_ANOMALY_AMOUNT_MANIPULATION:
    case ANX_SIM_ANOMALY_FORGED_SIGNATURE:
    case ANX_SIM_ANOMALY_CORRUPTED_SIGNATURE:
    case ANX_SIM_ANOMALY_CHAIN_EDITED:
    case ANX_SIM_ANOMALY_CHAIN_REMOVED:
    case ANX_SIM_ANOMALY_CHAIN_FORK:
    case ANX_SIM_ANOMALY_CLOCK_UNSYNCHRONISED:
    case ANX_SIM_ANOMALY_UNREGISTERED_KEY:
      return TRUE;
    case ANX_SIM_ANOMALY_OVER_BILLING:
    case ANX_SIM_ANOMALY_SEAL_OPENED:
    case ANX_SIM_ANOMALY_METER_EXCHANGED:
    case ANX_SIM_ANOMALY_OFFLINE:
    case ANX_SIM_N_ANOMALIES:
    default:
      return FALSE;
    }
}

static gboolean
is_event_anomaly (AnxSimAnomaly anomaly)
{
  return anomaly == ANX_SIM_ANOMALY_SEAL_OPENED || anomaly == ANX_SIM_ANOMALY_METER_EXCHANGED ||
         anomaly == ANX_SIM_ANOMALY_OFFLINE;
}

/* While a removed record waits for the record that shows the gap, only
 * charges of the same meter may follow, so that the gap and the counter
 * gap fall on the same record. */
static gboolean
anomaly_eligible (Charger       *c,
                  AnxSimAnomaly  anomaly)
{
  if (!(c->state.flags & FLAG_REMOVAL_PENDING))
    return TRUE;
  return anomaly != ANX_SIM_ANOMALY_CHAIN_REMOVED && anomaly != ANX_SIM_ANOMALY_UNREGISTERED_KEY &&
         anomaly != ANX_SIM_ANOMALY_SEAL_OPENED && anomaly != ANX_SIM_ANOMALY_METER_EXCHANGED;
}

/* The pending anomaly of the given family due first by @t, or -1 */
static int
due_anomaly (Charger  *c,
             gboolean  events,
             gint64    t)
{
  int best = -1;

  for (int a = 0; a < ANX_SIM_N_ANOMALIES; a++)
    {
      if (events ? !is_event_anomaly (a) : !is_record_anomaly (a))
        continue;
      if (c->state.pending[a] > t || !anomaly_eligible (c, a))
        continue;
      if (best < 0 || c->state.pending[a] < c->state.pending[best])
        best = a;
    }
  return best;
}

static void
day_tick (AnxSimEngine *engine,
          Charger      *c,
          gint64        t)
{
  ChargerState *st = &c->state;
  gint64 day_end = next_midnight (t);
  gint64 span = day_end - t;

  if (engine->any_rate)
    for (int a = 0; a < ANX_SIM_N_ANOMALIES; a++)
      {
        double p = engine->rates.per_charger_day[a] * (double) span / DAY;
        gint64 when;

        if (p <= 0 || anx_sim_random_double (&st->anomaly_rng) >= p)
          continue;
        when = t + (gint64) anx_sim_random_below (&st->anomaly_rng, (guint64) span);
        if (st->pending[a] != NEVER)
          continue;
        if (a == ANX_SIM_ANOMALY_OVER_BILLING && st->over_billing_permille != 0)
          continue;
        st->pending[a] = when;
      }
  st->next_day = day_end;
}

static void
start_session (AnxSimEngine *engine,
               Charger      *c,
               gint64        t)
{
  ChargerState *st = &c->state;
  Rng *rng = &st->load_rng;
  double power_w, energy_wh, seconds;
  Item *item;

  if (c->dc)
    {
      static const double vehicle_kw[] = { 60, 80, 100, 120, 150 };
      static const double vehicle_share[] = { 0.25, 0.30, 0.25, 0.12, 0.08 };
      double x = anx_sim_random_double (rng);
      guint v = 0;

      while (v + 1 < G_N_ELEMENTS (vehicle_kw) && x >= vehicle_share[v])
        x -= vehicle_share[v++];
      power_w = MIN (c->charger->rated_power_w * 0.9, vehicle_kw[v] * 1000.0);
      power_w *= 0.72 + 0.18 * anx_sim_random_double (rng);
      energy_wh = 15000.0 + 45000.0 * (anx_sim_random_double (rng) + anx_sim_random_double (rng)) / 2.0;
      seconds = CLAMP (energy_wh * 3600.0 / power_w, 15 * 60.0, 75 * 60.0);
    }
  else
    {
      static const double onboard_w[] = { 3300, 6600, 7000, 11000 };
      static const double onboard_share[] = { 0.10, 0.60, 0.15, 0.15 };
      double x = anx_sim_random_double (rng);
      guint v = 0;

      while (v + 1 < G_N_ELEMENTS (onboard_w) && x >= onboard_share[v])
        x -= onboard_share[v++];
      power_w = MIN ((double) c->charger->rated_power_w, onboard_w[v]);
      power_w *= 0.92 + 0.06 * anx_sim_random_double (rng);
      energy_wh = 8000.0 + 34000.0 * (anx_sim_random_double (rng) + anx_sim_random_double (rng)) / 2.0;
      seconds = CLAMP (energy_wh * 3600.0 / power_w, 30 * 60.0, 10 * 3600.0);
    }
  energy_wh = power_w * seconds / 3600.0;

  st->sessions++;
  st->mode = MODE_CHARGING;
  st->session_start = t;
  st->session_end = t + (gint64) seconds;
  st->session_energy_wh = MAX ((gint64) energy_wh, 1000);
  st->next_progress = t + (c->dc ? PROGRESS_DC : PROGRESS_AC);

  add_status (c, ANX_SIM_CHARGER_CHARGING, t);
  item = add_item (c, ITEM_STARTED, t);
  item->session = st->sessions;
  item->a = st->register_wh;
}

static guint32
active_over_billing (Charger *c,
                     gint64   t)
{
  ChargerState *st = &c->state;

  return st->over_billing_permille != 0 && t < st->over_billing_until ? st->over_billing_permille
                                                                      : 0;
}

static void
session_progress (AnxSimEngine *engine,
                  Charger      *c,
                  gint64        t)
{
  ChargerState *st = &c->state;
  Segment segments[MAX_SEGMENTS];
  guint n = split_by_band (c, t, segments);
  gint64 energy = session_energy_at (c, t);
  guint32 permille = active_over_billing (c, t);
  double x = (double) (t - st->session_start) / (double) (st->session_end - st->session_start);
  double mean_w = st->session_energy_wh * 3600.0 / (double) (st->session_end - st->session_start);
  Item *item;

  if (permille != 0)
    scale_segments (segments, n, energy + (energy * permille + 999) / 1000);

  item = add_item (c, ITEM_PROGRESS, t);
  item->session = st->sessions;
  item->a = (gint64) floor (mean_w * power_fraction (c->dc, x) + 0.5);
  item->b = energy + (permille != 0 ? (energy * permille + 999) / 1000 : 0);
  item->c = tariff_amount (&c->operator->tariff, segments, n);
  st->next_progress = t + (c->dc ? PROGRESS_DC : PROGRESS_AC);
}

static void
build_payload (Charger    *c,
               GString    *payload,
               const char *serial,
               guint64     counter,
               gint64      begin_wh,
               gint64      end_wh,
               char        clock)
{
  ChargerState *st = &c->state;
  char begin_tm[48], end_tm[48];
  guint64 user = st->sessions * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ c->charger->id;

  format_ocmf_time (st->session_start, clock, begin_tm, sizeof begin_tm);
  format_ocmf_time (st->session_end, clock, end_tm, sizeof end_tm);
  g_string_append_printf (payload, "{\"FV\":\"1.0\",\"GI\":\"ANXIN-%s%u\",\"GS\":",
                          c->dc ? "DC" : "AC", c->charger->rated_power_w / 1000);
  append_json_string (payload, c->charger->code);
  g_string_append_printf (payload, ",\"GV\":\"2.4.1\",\"PG\":\"T%" G_GUINT64_FORMAT "\",\"MV\":",
                          counter);
  append_json_string (payload, c->meter->manufacturer);
  g_string_append (payload, ",\"MM\":");
  append_json_string (payload, c->meter->model);
  g_string_append (payload, ",\"MS\":");
  append_json_string (payload, serial);
  g_string_append_printf (payload,
                          ",\"MF\":\"1.3.0\",\"IS\":true,\"IL\":\"VERIFIED\",\"IT\":\"CENTRAL\","
                          "\"ID\":\"%08X\",\"CT\":\"EVSEID\",\"CI\":",
                          (guint32) (anx_sim_random_splitmix64 (&user) >> 32));
  append_json_string (payload, c->charger->code);
  g_string_append_printf (payload,
                          ",\"RD\":[{\"TM\":\"%s\",\"TX\":\"B\",\"RV\":%" G_GINT64_FORMAT
                          ".%03d,\"RI\":\"1-0:1.8.0\",\"RU\":\"kWh\",\"RT\":\"%s\",\"EF\":\"\","
                          "\"ST\":\"G\"},{\"TM\":\"%s\",\"TX\":\"E\",\"RV\":%" G_GINT64_FORMAT
                          ".%03d,\"RI\":\"1-0:1.8.0\",\"RU\":\"kWh\",\"RT\":\"%s\",\"EF\":\"\","
                          "\"ST\":\"G\"}]}",
                          begin_tm, begin_wh / 1000, (int) (begin_wh % 1000), c->dc ? "DC" : "AC",
                          end_tm, end_wh / 1000, (int) (end_wh % 1000), c->dc ? "DC" : "AC");
}

static void
end_session (AnxSimEngine *engine,
             Crypto       *crypto,
             Charger      *c,
             gint64        t)
{
  ChargerState *st = &c->state;
  Rng *arng = &st->anomaly_rng;
  int one_off = due_anomaly (c, FALSE, t);
  gboolean unregistered = one_off == ANX_SIM_ANOMALY_UNREGISTERED_KEY;
  gint64 metered = st->session_energy_wh;
  gint64 begin, end, billed, amount, expected;
  guint32 permille = 0;
  guint64 counter;
  g_autofree char *serial = NULL;
  g_autoptr(GString) ocmf = g_string_sized_new (1024);
  g_autoptr(GDateTime) recorded_at = NULL;
  g_autofree char *session_id = NULL;
  Segment segments[MAX_SEGMENTS];
  guint n_segments;
  AnxChainRecord *record;
  Item *item;
  gsize payload_len;
  char clock = one_off == ANX_SIM_ANOMALY_CLOCK_UNSYNCHRONISED ? 'U' : 'S';

  if (one_off >= 0)
    st->pending[one_off] = NEVER;

  /* Over-billing starts on the meter, lasts 7–30 days or until the meter
   * is exchanged */
  if (st->pending[ANX_SIM_ANOMALY_OVER_BILLING] <= t && st->over_billing_permille == 0)
    {
      guint min_permille = c->meter->accuracy_class * 10 + 5;

      st->over_billing_permille = (guint32) rng_range (arng, MAX (20, min_permille), 80);
      st->over_billing_since = st->pending[ANX_SIM_ANOMALY_OVER_BILLING];
      st->over_billing_until = st->over_billing_since + rng_range (arng, 7, 30) * DAY;
      st->pending[ANX_SIM_ANOMALY_OVER_BILLING] = NEVER;
    }
  if (st->over_billing_permille != 0 && t >= st->over_billing_until)
    st->over_billing_permille = 0;

  if (unregistered)
    {
      /* a meter nobody registered: its own counter and register */
      st->unregistered_count++;
      serial = unregistered_serial (c);
      counter = (guint64) rng_range (arng, 1, 5000);
      begin = rng_range (arng, 0, 50000000);
    }
  else
    {
      permille = active_over_billing (c, t);
      serial = meter_serial (c, st->generation);
      counter = ++st->counter;
      begin = st->register_wh;
      st->register_wh += metered;
    }
  end = begin + metered;

  build_payload (c, ocmf, serial, counter, begin, end, clock);
  payload_len = ocmf->len;
  g_string_append_printf (ocmf, "|{\"SA\":\"%s\",\"SD\":\"",
                          anx_signature_algorithm_to_ocmf (c->algorithm));
  if (unregistered || one_off == ANX_SIM_ANOMALY_FORGED_SIGNATURE)
    {
      guint8 scalar[MAX_SCALAR];
      guint8 z[32];
      gsize len = derive_scalar (crypto, c->algorithm, unregistered ? "unregistered" : "forger",
                                 c->meter->id,
                                 unregistered ? st->unregistered_count : (guint32) st->sessions,
                                 scalar);

      if (c->algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3)
        sm2_z (crypto, scalar, len, z);
      sign_hex (crypto, c->algorithm, scalar, len, z, ocmf->str, payload_len, ocmf);
      OPENSSL_cleanse (scalar, sizeof scalar);
    }
  else
    {
      charger_key (crypto, c);
      sign_hex (crypto, c->algorithm, c->scalar, c->scalar_len, c->sm2_z, ocmf->str, payload_len,
                ocmf);
    }
  if (one_off == ANX_SIM_ANOMALY_CORRUPTED_SIGNATURE)
    {
      /* the last digit of s: the DER stays well-formed */
      char *last = &ocmf->str[ocmf->len - 1];

      *last = *last == '0' ? '1' : '0';
    }
  g_string_append (ocmf, "\"}");
  g_string_prepend (ocmf, "OCMF|");

  /* billing */
  n_segments = split_by_band (c, st->session_end, segments);
  billed = metered;
  if (permille != 0)
    {
      guint tolerance_bp = c->meter->accuracy_class * 100;

      billed = metered + (metered * permille + 999) / 1000;
      /* beyond the class and the 1 Wh floor, whatever the rounding */
      while ((billed - metered) * 10000 <= metered * (gint64) tolerance_bp ||
             billed - metered <= 1)
        billed++;
      scale_segments (segments, n_segments, billed);
    }
  expected = tariff_amount (&c->operator->tariff, segments, n_segments);
  amount = expected;
  if (one_off == ANX_SIM_ANOMALY_AMOUNT_MANIPULATION)
    amount += MAX (1, expected * rng_range (arng, 3, 15) / 100);

  session_id = g_strdup_printf ("%s-%06" G_GUINT64_FORMAT, c->charger->code, st->sessions);
  recorded_at = date_time_new (engine, t);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, c->charger->code, 0, NULL,
                                 recorded_at);
  anx_chain_record_set_charge (record, session_id, ocmf->str, billed, amount);
  for (guint i = 0; i < n_segments; i++)
    anx_chain_record_add_tariff_segment (
        record, band_label (segments[i].band), segments[i].wh,
        band_price_millifen (&c->operator->tariff, segments[i].band));

  item = add_item (c, ITEM_ENDED, t);
  item->session = st->sessions;
  item->a = billed;
  item->b = amount;

  item = add_item (c, ITEM_RECORD, t);
  item->record = record;
  item->serial = g_strdup (serial);
  item->session = st->sessions;

  if (one_off == ANX_SIM_ANOMALY_CHAIN_REMOVED)
    {
      item->tamper = TAMPER_REMOVE;
      st->flags |= FLAG_REMOVAL_PENDING;
      if (st->meter_records > 0)
        st->flags |= FLAG_REMOVAL_COUNTER;
      else
        st->flags &= ~FLAG_REMOVAL_COUNTER;
    }
  else
    {
      if (!unregistered)
        {
          if (st->flags & FLAG_REMOVAL_PENDING)
            {
              item->after_removal = (guint8) (CODE_SEQUENCE_GAP);
              if (st->flags & FLAG_REMOVAL_COUNTER)
                item->after_removal |= CODE_COUNTER_GAP;
              st->flags &= ~(FLAG_REMOVAL_PENDING | FLAG_REMOVAL_COUNTER);
            }
          st->meter_records++;
        }

      if (permille != 0)
        {
          char since[40];

          format_rfc3339 (st->over_billing_since, since, sizeof since);
          add_truth (item, ANX_SIM_ANOMALY_OVER_BILLING, CODE_ENERGY,
                     g_strdup_printf (",\"metered_wh\":%" G_GINT64_FORMAT
                                      ",\"billed_wh\":%" G_GINT64_FORMAT
                                      ",\"over_billing_permille\":%u,\"since\":\"%s\"",
                                      metered, billed, permille, since));
        }

      switch (one_off)
        {
        case ANX_SIM_ANOMALY_AMOUNT_MANIPULATION:
          add_truth (item, one_off, CODE_AMOUNT,
                     g_strdup_printf (",\"amount_fen\":%" G_GINT64_FORMAT
                                      ",\"expected_amount_fen\":%" G_GINT64_FORMAT
                                      ",\"billed_wh\":%" G_GINT64_FORMAT,
                                      amount, expected, billed));
          break;
        case ANX_SIM_ANOMALY_FORGED_SIGNATURE:
        case ANX_SIM_ANOMALY_CORRUPTED_SIGNATURE:
          add_truth (item, one_off, CODE_SIGNATURE, NULL);
          break;
        case ANX_SIM_ANOMALY_CHAIN_EDITED:
          item->tamper = TAMPER_EDIT;
          item->a = MAX (1, amount * rng_range (arng, 5, 30) / 100);
          add_truth (item, one_off, CODE_HASH_MISMATCH | CODE_AMOUNT,
                     g_strdup_printf (",\"amount_fen\":%" G_GINT64_FORMAT
                                      ",\"edited_amount_fen\":%" G_GINT64_FORMAT,
                                      amount, amount + item->a));
          break;
        case ANX_SIM_ANOMALY_CHAIN_FORK:
          item->tamper = TAMPER_FORK;
          item->a = MAX (1, amount * rng_range (arng, 10, 40) / 100);
          add_truth (item, one_off, CODE_FORK,
                     g_strdup_printf (",\"amount_fen\":%" G_GINT64_FORMAT
                                      ",\"fork_amount_fen\":%" G_GINT64_FORMAT,
                                      amount, MAX (0, amount - item->a)));
          break;
        case ANX_SIM_ANOMALY_CLOCK_UNSYNCHRONISED:
          add_truth (item, one_off, CODE_CLOCK, g_strdup (",\"clock_status\":\"U\""));
          break;
        case ANX_SIM_ANOMALY_UNREGISTERED_KEY:
          {
            g_autofree char *registered = meter_serial (c, st->generation);

            add_truth (item, one_off, CODE_UNKNOWN_KEY,
                       g_strdup_printf (",\"registered_meter_serial\":\"%s\"", registered));
          }
          break;
        default:
          break;
        }
    }

  add_status (c, ANX_SIM_CHARGER_AVAILABLE, t);
  st->mode = MODE_IDLE;
  st->next_arrival = draw_arrival (c, t + TURNOVER_SECONDS);
}

static void
seal_opened (AnxSimEngine *engine,
             Crypto       *crypto,
             Charger      *c,
             gint64        t)
{
  ChargerState *st = &c->state;
  g_autofree char *serial = meter_serial (c, st->generation);
  g_autofree char *seal_id = st->generation == 0
                                 ? g_strdup (c->meter->electronic_seal_id)
                                 : g_strdup_printf ("%s-R%u", c->meter->electronic_seal_id,
                                                    st->generation);
  g_autoptr(GString) signal = g_string_new ("ESEAL|{\"SI\":");
  g_autoptr(GDateTime) when = date_time_new (engine, t);
  char tm[48];
  gsize payload_start, payload_len;
  AnxChainRecord *record;
  Item *item;

  format_ocmf_time (t, 'S', tm, sizeof tm);
  payload_start = signal->len - strlen ("{\"SI\":");
  append_json_string (signal, seal_id);
  g_string_append (signal, ",\"MS\":");
  append_json_string (signal, serial);
  g_string_append_printf (signal, ",\"EV\":\"opened\",\"TM\":\"%s\"}", tm);
  payload_len = signal->len - payload_start;
  g_string_append_printf (signal, "|{\"SA\":\"%s\",\"SD\":\"",
                          anx_signature_algorithm_to_ocmf (c->algorithm));
  charger_key (crypto, c);
  sign_hex (crypto, c->algorithm, c->scalar, c->scalar_len, c->sm2_z,
            signal->str + payload_start, payload_len, signal);
  g_string_append (signal, "\"}");

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_SEAL, c->charger->code, 0, NULL, when);
  anx_chain_record_set_seal (record, seal_id, ANX_SEAL_ACTION_OPENED, when, signal->str);
  item = add_item (c, ITEM_RECORD, t);
  item->record = record;
  item->serial = g_strdup (serial);
  add_truth (item, ANX_SIM_ANOMALY_SEAL_OPENED, CODE_SEAL,
             g_strdup_printf (",\"seal_id\":\"%s\"", seal_id));
}

static void
meter_exchanged (AnxSimEngine *engine,
                 Crypto       *crypto,
                 Charger      *c,
                 gint64        t)
{
  ChargerState *st = &c->state;
  g_autofree char *old_serial = meter_serial (c, st->generation);
  g_autofree char *new_serial = meter_serial (c, st->generation + 1);
  g_autoptr(AnxMeterKey) old_key =
      make_meter_key (crypto, c->algorithm, "meter", c->meter->id, st->generation);
  AnxMeterKey *new_key =
      make_meter_key (crypto, c->algorithm, "meter", c->meter->id, st->generation + 1);
  g_autoptr(GDateTime) when = date_time_new (engine, t);
  const char *reason =
      exchange_reasons[anx_sim_random_below (&st->anomaly_rng, G_N_ELEMENTS (exchange_reasons))];
  AnxChainRecord *record;
  Item *item;

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_METER_EXCHANGE, c->charger->code, 0, NULL,
                                 when);
  anx_chain_record_set_meter_exchange (record, old_serial, anx_meter_key_get_der (old_key),
                                       new_serial, anx_meter_key_get_der (new_key), reason);
  item = add_item (c, ITEM_RECORD, t);
  item->record = record;
  item->serial = g_strdup (old_serial);
  add_truth (item, ANX_SIM_ANOMALY_METER_EXCHANGED, 0,
             g_strdup_printf (",\"old_meter_serial\":\"%s\",\"new_meter_serial\":\"%s\","
                              "\"new_key_fingerprint\":\"%s\"",
                              old_serial, new_serial, anx_meter_key_get_fingerprint (new_key)));

  item = add_item (c, ITEM_KEY_CHANGED, t);
  item->serial = g_strdup (new_serial);
  item->key = new_key;

  /* a new meter: fresh register and counter; the old one's over-billing
   * leaves with it */
  st->generation++;
  st->counter = 0;
  st->meter_records = 0;
  st->register_wh = rng_range (&st->anomaly_rng, 0, 50);
  st->over_billing_permille = 0;
}

static void
go_offline (AnxSimEngine *engine,
            Charger      *c,
            gint64        t)
{
  ChargerState *st = &c->state;
  gint64 duration = rng_range (&st->anomaly_rng, 30, 240) * 60;
  char until[40];
  Item *item;

  format_rfc3339 (t + duration, until, sizeof until);
  add_status (c, ANX_SIM_CHARGER_OFFLINE, t);
  item = add_item (c, ITEM_TRUTH, t);
  item->serial = meter_serial (c, st->generation);
  add_truth (item, ANX_SIM_ANOMALY_OFFLINE, 0,
             g_strdup_printf (",\"until\":\"%s\",\"duration_s\":%" G_GINT64_FORMAT, until,
                              duration));
  st->mode = MODE_OFFLINE;
  st->offline_until = t + duration;
  st->next_arrival = NEVER;
}

typedef enum
{
  EV_DAY,
  EV_ANOMALY,
  EV_END,
  EV_PROGRESS,
  EV_ARRIVAL,
  EV_ONLINE,
} Event;

static Event
next_event (Charger *c,
            gint64  *when)
{
  ChargerState *st = &c->state;
  Event event = EV_DAY;
  gint64 t = st->next_day;

  switch (st->mode)
    {
    case MODE_IDLE:
      {
        int a = due_anomaly (c, TRUE, NEVER - 1);

        if (a >= 0 && MAX (st->pending[a], st->now) < t)
          {
            t = MAX (st->pending[a], st->now);
            event = EV_ANOMALY;
          }
        if (st->next_arrival < t)
          {
            t = st->next_arrival;
            event = EV_ARRIVAL;
          }
      }
      break;
    case MODE_CHARGING:
      if (st->session_end <= st->next_progress && st->session_end < t)
        {
          t = st->session_end;
          event = EV_END;
        }
      else if (st->next_progress < st->session_end && st->next_progress < t)
        {
          t = st->next_progress;
          event = EV_PROGRESS;
        }
      break;
    case MODE_OFFLINE:
    default:
      if (st->offline_until < t)
        {
          t = st->offline_until;
          event = EV_ONLINE;
        }
      break;
    }
  *when = t;
  return event;
}

static void
simulate_charger (AnxSimEngine *engine,
                  Crypto       *crypto,
                  Charger      *c,
                  gint64        until)
{
  ChargerState *st = &c->state;

  if (!(st->flags & FLAG_ANNOUNCED))
    {
      add_status (c, ANX_SIM_CHARGER_AVAILABLE, st->now);
      st->flags |= FLAG_ANNOUNCED;
    }

  for (;;)
    {
      gint64 t;
      Event event = next_event (c, &t);

      if (t >= until)
        break;
      st->now = t;
      switch (event)
        {
        case EV_DAY:
          day_tick (engine, c, t);
          break;
        case EV_ARRIVAL:
          start_session (engine, c, t);
          break;
        case EV_PROGRESS:
          session_progress (engine, c, t);
          break;
        case EV_END:
          end_session (engine, crypto, c, t);
          break;
        case EV_ONLINE:
          add_status (c, ANX_SIM_CHARGER_AVAILABLE, t);
          st->mode = MODE_IDLE;
          st->next_arrival = draw_arrival (c, t);
          break;
        case EV_ANOMALY:
          {
            int a = due_anomaly (c, TRUE, t);

            g_assert (a >= 0);
            st->pending[a] = NEVER;
            if (a == ANX_SIM_ANOMALY_SEAL_OPENED)
              seal_opened (engine, crypto, c, t);
            else if (a == ANX_SIM_ANOMALY_METER_EXCHANGED)
              meter_exchanged (engine, crypto, c, t);
            else
              go_offline (engine, c, t);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  st->now = MAX (st->now, until);
}

static void
run_task (gpointer data,
          gpointer user_data)
{
  Task *task = data;
  AnxSimEngine *engine = user_data;
  gboolean keys = task->meter_ids != NULL;
  Crypto crypto;

  crypto_init (&crypto, engine);
  for (guint i = task->first; i < task->last; i++)
    if (keys)
      {
        const AnxSimMeter *meter = anx_sim_network_get_meter (engine->network, task->meter_ids[i]);

        task->keys[i] =
            make_meter_key (&crypto, anx_signature_algorithm_from_ocmf (meter->signature_algorithm),
                            "meter", meter->id, 0);
      }
    else if (engine->chargers[i].state.now < task->until)
      simulate_charger (engine, &crypto, &engine->chargers[i], task->until);
  crypto_clear (&crypto);
  g_free (task);

  g_mutex_lock (&engine->lock);
  if (keys ? --engine->key_tasks_left == 0 : --engine->tasks_left == 0)
    g_cond_broadcast (&engine->done);
  g_mutex_unlock (&engine->lock);
}

/* Charger state bytes --------------------------------------------------- */

static void
put_u8 (GByteArray *out,
        guint8      v)
{
  g_byte_array_append (out, &v, 1);
}

static void
put_u32 (GByteArray *out,
         guint32     v)
{
  guint8 b[4];

  for (guint i = 0; i < 4; i++)
    b[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (out, b, 4);
}

static void
put_u64 (GByteArray *out,
         guint64     v)
{
  guint8 b[8];

  for (guint i = 0; i < 8; i++)
    b[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (out, b, 8);
}

static GBytes *
state_to_bytes (AnxSimEngine *engine,
                Charger      *c)
{
  ChargerState *st = &c->state;
  GByteArray *out = g_byte_array_sized_new (STATE_SIZE);

  put_u8 (out, STATE_VERSION);
  put_u32 (out, c->charger->id);
  put_u64 (out, engine->seed);
  put_u64 (out, (guint64) st->now);
  for (guint i = 0; i < 4; i++)
    put_u64 (out, st->load_rng.s[i]);
  for (guint i = 0; i < 4; i++)
    put_u64 (out, st->anomaly_rng.s[i]);
  put_u8 (out, st->mode);
  put_u8 (out, st->flags);
  put_u32 (out, st->generation);
  put_u32 (out, st->unregistered_count);
  put_u64 (out, st->counter);
  put_u64 (out, st->meter_records);
  put_u64 (out, (guint64) st->register_wh);
  put_u64 (out, st->sessions);
  put_u64 (out, (guint64) st->session_start);
  put_u64 (out, (guint64) st->session_end);
  put_u64 (out, (guint64) st->session_energy_wh);
  put_u64 (out, (guint64) st->next_progress);
  put_u64 (out, (guint64) st->next_arrival);
  put_u64 (out, (guint64) st->offline_until);
  put_u64 (out, (guint64) st->next_day);
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    put_u64 (out, (guint64) st->pending[i]);
  put_u32 (out, st->over_billing_permille);
  put_u64 (out, (guint64) st->over_billing_since);
  put_u64 (out, (guint64) st->over_billing_until);
  put_u64 (out, st->head_sequence);
  g_byte_array_append (out, st->head_hash, ANX_CHAIN_HASH_SIZE);
  put_u64 (out, st->removed_sequence);
  put_u64 (out, (guint64) st->removed_time);
  put_u64 (out, st->exchange_sequence);
  g_assert (out->len == STATE_SIZE);
  return g_byte_array_free_to_bytes (out);
}

typedef struct
{
  const guint8 *p;
} Reader;

static guint8
get_u8 (Reader *r)
{
  return *r->p++;
}

static guint32
get_u32 (Reader *r)
{
  guint32 v = 0;

  for (guint i = 0; i < 4; i++)
    v |= (guint32) r->p[i] << (8 * i);
  r->p += 4;
  return v;
}

static guint64
get_u64 (Reader *r)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v |= (guint64) r->p[i] << (8 * i);
  r->p += 8;
  return v;
}

static gboolean
state_from_bytes (AnxSimEngine  *engine,
                  Charger       *c,
                  GBytes        *bytes,
                  GError       **error)
{
  ChargerState *st = &c->state;
  gsize len;
  Reader r = { g_bytes_get_data (bytes, &len) };
  guint32 charger_id;
  guint64 seed;

  if (len != STATE_SIZE || r.p[0] != STATE_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved simulator state of charger %u is not one this version can read"),
                   c->charger->id);
      return FALSE;
    }
  get_u8 (&r);
  charger_id = get_u32 (&r);
  seed = get_u64 (&r);
  if (charger_id != c->charger->id || seed != engine->seed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved simulator state of charger %u belongs to another charger or "
                     "seed"),
                   c->charger->id);
      return FALSE;
    }
  st->now = (gint64) get_u64 (&r);
  for (guint i = 0; i < 4; i++)
    st->load_rng.s[i] = get_u64 (&r);
  for (guint i = 0; i < 4; i++)
    st->anomaly_rng.s[i] = get_u64 (&r);
  st->mode = get_u8 (&r);
  st->flags = get_u8 (&r);
  st->generation = get_u32 (&r);
  st->unregistered_count = get_u32 (&r);
  st->counter = get_u64 (&r);
  st->meter_records = get_u64 (&r);
  st->register_wh = (gint64) get_u64 (&r);
  st->sessions = get_u64 (&r);
  st->session_start = (gint64) get_u64 (&r);
  st->session_end = (gint64) get_u64 (&r);
  st->session_energy_wh = (gint64) get_u64 (&r);
  st->next_progress = (gint64) get_u64 (&r);
  st->next_arrival = (gint64) get_u64 (&r);
  st->offline_until = (gint64) get_u64 (&r);
  st->next_day = (gint64) get_u64 (&r);
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    st->pending[i] = (gint64) get_u64 (&r);
  st->over_billing_permille = get_u32 (&r);
  st->over_billing_since = (gint64) get_u64 (&r);
  st->over_billing_until = (gint64) get_u64 (&r);
  st->head_sequence = get_u64 (&r);
  memcpy (st->head_hash, r.p, ANX_CHAIN_HASH_SIZE);
  r.p += ANX_CHAIN_HASH_SIZE;
  st->removed_sequence = get_u64 (&r);
  st->removed_time = (gint64) get_u64 (&r);
  st->exchange_sequence = get_u64 (&r);

  if (st->mode > MODE_OFFLINE ||
      (st->mode == MODE_CHARGING && st->session_end <= st->session_start))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved simulator state of charger %u is damaged"), c->charger->id);
      return FALSE;
    }
  return TRUE;
}

/* Emitting (the calling thread) ----------------------------------------- */

static void
write_truth (AnxSimEngine     *engine,
             const AnxSimSink *sink,
             gpointer          user_data,
             Charger          *c,
             AnxSimAnomaly     anomaly,
             gint64            sequence,
             gint64            time,
             const char       *serial,
             guint             codes,
             const char       *extra)
{
  g_autoptr(GString) line = g_string_sized_new (256);
  char when[40];
  gboolean first = TRUE;

  if (sink->ground_truth == NULL)
    return;

  format_rfc3339 (time, when, sizeof when);
  g_string_append_printf (line, "{\"anomaly\":\"%s\",\"charger_id\":%u,\"charger_code\":",
                          anomaly_names[anomaly], c->charger->id);
  append_json_string (line, c->charger->code);
  g_string_append (line, ",\"meter_serial\":");
  append_json_string (line, serial != NULL ? serial : "");
  if (sequence >= 0)
    g_string_append_printf (line, ",\"sequence\":%" G_GINT64_FORMAT, sequence);
  else
    g_string_append (line, ",\"sequence\":null");
  g_string_append_printf (line, ",\"time\":\"%s\",\"findings\":[", when);
  for (guint i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (codes & (1u << i))
      {
        g_string_append_printf (line, "%s{\"sequence\":%" G_GINT64_FORMAT ",\"code\":\"%s\"}",
                                first ? "" : ",", sequence, code_names[i]);
        first = FALSE;
      }
  g_string_append_c (line, ']');
  if (extra != NULL)
    g_string_append (line, extra);
  g_string_append_c (line, '}');
  sink->ground_truth (user_data, line->str);
}

static void
emit_record (AnxSimEngine     *engine,
             const AnxSimSink *sink,
             gpointer          user_data,
             Charger          *c,
             Item             *item)
{
  ChargerState *st = &c->state;
  AnxChainRecord *record = item->record;
  guint64 sink_sequence = 0;
  guint8 sink_hash[ANX_CHAIN_HASH_SIZE];
  gboolean sink_has = FALSE;
  guint64 sequence;
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  if (sink->get_chain_head != NULL)
    sink_has = sink->get_chain_head (user_data, c->charger->id, &sink_sequence, sink_hash);

  /* The engine's own head wins unless others appended after it: after a
   * fork the sink may report the forged twin, after a removal the record
   * before the removed one. */
  if ((st->flags & FLAG_HEAD_VALID) && (!sink_has || sink_sequence <= st->head_sequence))
    {
      sequence = st->head_sequence + 1;
      anx_chain_record_set_prev_hash (record, st->head_hash);
    }
  else if (sink_has)
    {
      sequence = sink_sequence + 1;
      anx_chain_record_set_prev_hash (record, sink_hash);
    }
  else
    {
      sequence = 0;
      anx_chain_record_set_prev_hash (record, NULL);
    }
  anx_chain_record_set_sequence (record, sequence);
  anx_chain_record_set_stated_hash (record, NULL);
  anx_chain_record_compute_hash (record, hash);
  anx_chain_record_set_stated_hash (record, hash);

  st->flags |= FLAG_HEAD_VALID;
  st->head_sequence = sequence;
  memcpy (st->head_hash, hash, ANX_CHAIN_HASH_SIZE);

  switch ((Tamper) item->tamper)
    {
    case TAMPER_REMOVE:
      st->removed_sequence = sequence;
      st->removed_time = item->time;
      return;

    case TAMPER_EDIT:
      anx_chain_record_set_charge (record, anx_chain_record_get_session_id (record),
                                   anx_chain_record_get_ocmf (record),
                                   anx_chain_record_get_billed_wh (record),
                                   anx_chain_record_get_amount_fen (record) + item->a);
      if (sink->append_record != NULL)
        sink->append_record (user_data, c->charger->id, record);
      break;

    case TAMPER_FORK:
      {
        g_autoptr(AnxChainRecord) twin = NULL;
        guint8 twin_hash[ANX_CHAIN_HASH_SIZE];
        gint64 amount = anx_chain_record_get_amount_fen (record);

        if (sink->append_record != NULL)
          sink->append_record (user_data, c->charger->id, record);
        twin = anx_chain_record_copy (record);
        anx_chain_record_set_charge (twin, anx_chain_record_get_session_id (twin),
                                     anx_chain_record_get_ocmf (twin),
                                     anx_chain_record_get_billed_wh (twin),
                                     MAX (0, amount - item->a));
        anx_chain_record_set_stated_hash (twin, NULL);
        anx_chain_record_compute_hash (twin, twin_hash);
        anx_chain_record_set_stated_hash (twin, twin_hash);
        if (sink->append_record != NULL)
          sink->append_record (user_data, c->charger->id, twin);
      }
      break;

    case TAMPER_NONE:
    default:
      if (sink->append_record != NULL)
        sink->append_record (user_data, c->charger->id, record);
      break;
    }

  if (anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_METER_EXCHANGE)
    st->exchange_sequence = sequence;

  if (item->after_removal != 0)
    {
      g_autofree char *extra = g_strdup_printf (",\"removed_sequence\":%" G_GUINT64_FORMAT,
                                                st->removed_sequence);

      write_truth (engine, sink, user_data, c, ANX_SIM_ANOMALY_CHAIN_REMOVED, (gint64) sequence,
                   st->removed_time, item->serial, item->after_removal, extra);
    }
  for (guint i = 0; i < item->n_truths; i++)
    write_truth (engine, sink, user_data, c, item->truth_anomaly[i], (gint64) sequence, item->time,
                 item->serial, item->truth_codes[i], item->truth_extra[i]);
}

static void
emit_charger (AnxSimEngine     *engine,
              const AnxSimSink *sink,
              gpointer          user_data,
              Charger          *c)
{
  guint id = c->charger->id;
  char session_id[96] = "";
  guint64 session = G_MAXUINT64;

  if (c->items->len == 0)
    return;

  for (guint i = 0; i < c->items->len; i++)
    {
      Item *item = &g_array_index (c->items, Item, i);
      gint64 us = item->time * G_USEC_PER_SEC;

      if ((item->kind == ITEM_STARTED || item->kind == ITEM_PROGRESS || item->kind == ITEM_ENDED) &&
          item->session != session)
        {
          session = item->session;
          g_snprintf (session_id, sizeof session_id, "%s-%06" G_GUINT64_FORMAT, c->charger->code,
                      session);
        }

      switch ((ItemKind) item->kind)
        {
        case ITEM_STATUS:
          if (sink->charger_status != NULL)
            sink->charger_status (user_data, id, item->status, us);
          break;
        case ITEM_STARTED:
          if (sink->session_started != NULL)
            sink->session_started (user_data, id, session_id, us, item->a);
          break;
        case ITEM_PROGRESS:
          if (sink->session_progress != NULL)
            sink->session_progress (user_data, id, session_id, us, item->a, item->b, item->c);
          break;
        case ITEM_ENDED:
          if (sink->session_ended != NULL)
            sink->session_ended (user_data, id, session_id, us, item->a, item->b);
          break;
        case ITEM_RECORD:
          emit_record (engine, sink, user_data, c, item);
          break;
        case ITEM_KEY_CHANGED:
          if (sink->meter_key_changed != NULL)
            sink->meter_key_changed (user_data, id, item->serial, item->key,
                                     c->state.exchange_sequence + 1);
          break;
        case ITEM_TRUTH:
          for (guint t = 0; t < item->n_truths; t++)
            write_truth (engine, sink, user_data, c, item->truth_anomaly[t], -1, item->time,
                         item->serial, item->truth_codes[t], item->truth_extra[t]);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_array_set_size (c->items, 0);

  if (sink->save_state != NULL)
    {
      g_autoptr(GBytes) state = state_to_bytes (engine, c);

      sink->save_state (user_data, id, state);
    }
}

/* Set-up ---------------------------------------------------------------- */

static void
charger_init_state (AnxSimEngine *engine,
                    Charger      *c,
                    Rng          *profile)
{
  ChargerState *st = &c->state;
  Civil start;
  GDate start_date;
  double years;
  double per_year_wh = c->dc ? 45e6 : 8e6;

  memset (st, 0, sizeof *st);
  st->now = engine->start;
  anx_sim_random_init (&st->load_rng, engine->seed, STREAM_LOAD, c->charger->id);
  anx_sim_random_init (&st->anomaly_rng, engine->seed, STREAM_ANOMALY, c->charger->id);
  st->mode = MODE_IDLE;
  st->next_day = engine->start; /* the first tick covers the rest of the day */
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    st->pending[i] = NEVER;
  st->offline_until = NEVER;

  /* a meter in service since its first verification has counted */
  local_civil (engine->start, &start);
  g_date_clear (&start_date, 1);
  g_date_set_dmy (&start_date, (GDateDay) start.day, (GDateMonth) start.month,
                  (GDateYear) start.year);
  years = g_date_valid (&c->meter->first_verification)
              ? MAX (0, g_date_days_between (&c->meter->first_verification, &start_date)) / 365.0
              : 1.0;
  st->register_wh = (gint64) (years * per_year_wh * (0.5 + anx_sim_random_double (profile)));
  st->counter = (guint64) (years * c->sessions_per_day * 365 * (0.6 + 0.4 * anx_sim_random_double (profile)));
  st->next_arrival = draw_arrival (c, engine->start);
}

/**
 * anx_sim_anomaly_rates_init_none:
 * @rates: rates to set
 *
 * No anomaly at all: every record of the run is genuine and consistent.
 */
void
anx_sim_anomaly_rates_init_none (AnxSimAnomalyRates *rates)
{
  g_return_if_fail (rates != NULL);
  memset (rates, 0, sizeof *rates);
}

/**
 * anx_sim_anomaly_rates_init_default:
 * @rates: rates to set
 *
 * Modest rates: on the Hangzhou network (12,258 chargers) a simulated day
 * shows a handful of each anomaly, offline chargers a little more often.
 */
void
anx_sim_anomaly_rates_init_default (AnxSimAnomalyRates *rates)
{
  static const double defaults[ANX_SIM_N_ANOMALIES] = {
    [ANX_SIM_ANOMALY_OVER_BILLING] = 2.5e-4,
    [ANX_SIM_ANOMALY_AMOUNT_MANIPULATION] = 4e-4,
    [ANX_SIM_ANOMALY_FORGED_SIGNATURE] = 2.5e-4,
    [ANX_SIM_ANOMALY_CORRUPTED_SIGNATURE] = 4e-4,
    [ANX_SIM_ANOMALY_CHAIN_EDITED] = 2.5e-4,
    [ANX_SIM_ANOMALY_CHAIN_REMOVED] = 2.5e-4,
    [ANX_SIM_ANOMALY_CHAIN_FORK] = 1.6e-4,
    [ANX_SIM_ANOMALY_SEAL_OPENED] = 4e-4,
    [ANX_SIM_ANOMALY_METER_EXCHANGED] = 2.5e-4,
    [ANX_SIM_ANOMALY_CLOCK_UNSYNCHRONISED] = 8e-4,
    [ANX_SIM_ANOMALY_OFFLINE] = 1.2e-3,
    [ANX_SIM_ANOMALY_UNREGISTERED_KEY] = 1.6e-4,
  };

  g_return_if_fail (rates != NULL);
  memcpy (rates->per_charger_day, defaults, sizeof defaults);
}

/**
 * anx_sim_anomaly_to_string:
 * @anomaly: an anomaly
 *
 * Returns: its name in the ground-truth log, e.g. `over-billing`, or %NULL
 */
const char *
anx_sim_anomaly_to_string (AnxSimAnomaly anomaly)
{
  if ((guint) anomaly >= ANX_SIM_N_ANOMALIES)
    return NULL;
  return anomaly_names[anomaly];
}

/**
 * anx_sim_anomaly_from_string:
 * @name: a name as anx_sim_anomaly_to_string() gives it
 * @anomaly: (out): the anomaly
 *
 * Returns: whether @name is an anomaly's name
 */
gboolean
anx_sim_anomaly_from_string (const char    *name,
                             AnxSimAnomaly *anomaly)
{
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    if (g_strcmp0 (name, anomaly_names[i]) == 0)
      {
        if (anomaly != NULL)
          *anomaly = (AnxSimAnomaly) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * anx_sim_engine_new:
 * @network: the network to simulate; it must outlive the engine
 * @rates: (nullable): anomaly rates; %NULL for none
 * @start_us: simulated time (µs since the Unix epoch) at which chargers
 *   without a saved state start
 * @load_state: (nullable): returns a charger's saved state (transfer full,
 *   the engine unrefs it) or %NULL; called once per charger, here
 * @user_data: for @load_state
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the engine, or %NULL if a rate is not a
 *   probability or a saved state cannot be read
 */
AnxSimEngine *
anx_sim_engine_new (AnxSimNetwork             *network,
                    const AnxSimAnomalyRates  *rates,
                    gint64                     start_us,
                    GBytes                  *(*load_state) (gpointer user_data,
                                                            guint    charger_id),
                    gpointer                   user_data,
                    GError                   **error)
{
  g_autoptr(AnxSimEngine) engine = NULL;
  const AnxSimCharger *chargers;
  guint n_chargers;
  gint64 latest = G_MININT64;

  g_return_val_if_fail (network != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  engine = g_new0 (AnxSimEngine, 1);
  engine->network = network;
  engine->seed = anx_sim_network_get_params (network)->seed;
  if (rates != NULL)
    engine->rates = *rates;
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    {
      double p = engine->rates.per_charger_day[i];

      if (!(p >= 0.0 && p <= 1.0))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The rate of anomaly “%s” is not a probability: %g"), anomaly_names[i],
                       p);
          return NULL;
        }
      engine->any_rate |= p > 0;
    }
  engine->start = start_us >= 0 ? (start_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC
                                : -((-start_us) / G_USEC_PER_SEC);
  engine->time_us = start_us;
  engine->cst = g_time_zone_new_offset (CST_OFFSET);
  g_mutex_init (&engine->lock);
  g_cond_init (&engine->done);
  g_mutex_init (&engine->keys_lock);
  g_mutex_init (&engine->tables_lock);
  engine->keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) anx_meter_key_unref);
  engine->sha256 = EVP_MD_fetch (NULL, "SHA256", NULL);
  engine->sha512 = EVP_MD_fetch (NULL, "SHA512", NULL);
  engine->sm3 = EVP_MD_fetch (NULL, "SM3", NULL);
  if (engine->sha256 == NULL || engine->sha512 == NULL || engine->sm3 == NULL)
    {
      ERR_clear_error ();
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("OpenSSL lacks a digest the simulator needs (SHA-256, SHA-512, SM3)"));
      return NULL;
    }

  chargers = anx_sim_network_get_chargers (network, &n_chargers);
  engine->n_chargers = n_chargers;
  engine->chargers = g_new0 (Charger, n_chargers);
  for (guint i = 0; i < n_chargers; i++)
    {
      Charger *c = &engine->chargers[i];
      const AnxSimStation *station;
      gboolean urban;
      Rng profile;
      g_autoptr(GBytes) saved = NULL;

      c->charger = &chargers[i];
      c->meter = anx_sim_network_get_meter (network, c->charger->meter_id);
      station = anx_sim_network_get_station (network, c->charger->station_id);
      c->operator = anx_sim_network_get_operator (network, station->operator_id);
      c->algorithm = anx_signature_algorithm_from_ocmf (c->meter->signature_algorithm);
      c->dc = c->charger->current == ANX_SIM_CURRENT_DC;
      c->items = g_array_new (FALSE, FALSE, sizeof (Item));
      g_array_set_clear_func (c->items, item_clear);
      urban = anx_sim_district_is_urban (station->district);

      /* how popular the charger is: a log-normal factor of mean 1 */
      anx_sim_random_init (&profile, engine->seed, STREAM_PROFILE, c->charger->id);
      c->sessions_per_day = (c->dc ? (urban ? DC_SESSIONS_URBAN : DC_SESSIONS_SUBURBAN)
                                   : (urban ? AC_SESSIONS_URBAN : AC_SESSIONS_SUBURBAN)) *
                            exp (0.35 * rng_gaussian (&profile) - 0.35 * 0.35 / 2);

      if (load_state != NULL)
        saved = load_state (user_data, c->charger->id);
      if (saved != NULL)
        {
          if (!state_from_bytes (engine, c, saved, error))
            return NULL;
          latest = MAX (latest, c->state.now);
        }
      else
        charger_init_state (engine, c, &profile);
    }
  if (latest != G_MININT64 && latest * G_USEC_PER_SEC > engine->time_us)
    engine->time_us = latest * G_USEC_PER_SEC;

  engine->n_threads = MAX (1, g_get_num_processors ());
  engine->pool = g_thread_pool_new (run_task, engine, (gint) engine->n_threads, FALSE, NULL);

  return g_steal_pointer (&engine);
}

/**
 * anx_sim_engine_free:
 * @engine: (transfer full): an engine
 */
void
anx_sim_engine_free (AnxSimEngine *engine)
{
  if (engine == NULL)
    return;

  if (engine->pool != NULL)
    g_thread_pool_free (engine->pool, FALSE, TRUE);
  for (guint i = 0; i < engine->n_chargers; i++)
    {
      g_clear_pointer (&engine->chargers[i].items, g_array_unref);
      OPENSSL_cleanse (engine->chargers[i].scalar, sizeof engine->chargers[i].scalar);
    }
  g_free (engine->chargers);
  g_clear_pointer (&engine->keys, g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (engine->tables); i++)
    g_clear_pointer (&engine->tables[i], base_table_free);
  g_mutex_clear (&engine->tables_lock);
  g_mutex_clear (&engine->keys_lock);
  g_mutex_clear (&engine->lock);
  g_cond_clear (&engine->done);
  EVP_MD_free (engine->sha256);
  EVP_MD_free (engine->sha512);
  EVP_MD_free (engine->sm3);
  g_clear_pointer (&engine->cst, g_time_zone_unref);
  g_free (engine);
}

/**
 * anx_sim_engine_get_meter_key:
 * @engine: an engine
 * @meter_id: a meter of the network
 *
 * The key the meter had when the network was made (deterministic from the
 * seed), with its private half. Keys of meters put in by a meter exchange
 * are reported through AnxSimSink.meter_key_changed instead. A key not yet
 * derived is derived together with the next missing ones (up to 1,024), on
 * all cores, so asking for every meter in turn is fast.
 *
 * Returns: (transfer full) (nullable): the key (keys are immutable and
 *   shared); %NULL for an unknown meter
 */
AnxMeterKey *
anx_sim_engine_get_meter_key (AnxSimEngine *engine,
                              guint         meter_id)
{
  const AnxSimMeter *meter;
  AnxMeterKey *key;

  g_return_val_if_fail (engine != NULL, NULL);

  meter = anx_sim_network_get_meter (engine->network, meter_id);
  if (meter == NULL)
    return NULL;

  g_mutex_lock (&engine->keys_lock);
  key = g_hash_table_lookup (engine->keys, GUINT_TO_POINTER (meter_id));
  if (key == NULL)
    {
      /* this meter's key and those of the meters after it, in parallel */
      g_autofree guint *ids = g_new (guint, KEY_BATCH);
      g_autofree AnxMeterKey **keys = g_new0 (AnxMeterKey *, KEY_BATCH);
      guint n = 0, chunk;

      for (guint id = meter_id; n < KEY_BATCH && anx_sim_network_get_meter (engine->network, id);
           id++)
        if (!g_hash_table_contains (engine->keys, GUINT_TO_POINTER (id)))
          ids[n++] = id;
      chunk = MAX (16, (n + engine->n_threads - 1) / engine->n_threads);

      g_mutex_lock (&engine->lock);
      for (guint first = 0; first < n; first += chunk)
        {
          Task *task = g_new0 (Task, 1);

          task->first = first;
          task->last = MIN (n, first + chunk);
          task->meter_ids = ids;
          task->keys = keys;
          engine->key_tasks_left++;
          g_thread_pool_push (engine->pool, task, NULL);
        }
      while (engine->key_tasks_left > 0)
        g_cond_wait (&engine->done, &engine->lock);
      g_mutex_unlock (&engine->lock);

      for (guint i = 0; i < n; i++)
        g_hash_table_insert (engine->keys, GUINT_TO_POINTER (ids[i]), keys[i]);
      key = keys[0];
    }
  anx_meter_key_ref (key);
  g_mutex_unlock (&engine->keys_lock);
  return key;
}

/**
 * anx_sim_engine_get_time:
 * @engine: an engine
 *
 * Returns: the simulated time reached (µs since the Unix epoch)
 */
gint64
anx_sim_engine_get_time (AnxSimEngine *engine)
{
  g_return_val_if_fail (engine != NULL, 0);
  return engine->time_us;
}

/**
 * anx_sim_engine_run_until:
 * @engine: an engine
 * @until_us: simulated time to run to (µs since the Unix epoch); events
 *   before it happen
 * @sink: where events, records, ground truth and states go; any callback
 *   may be %NULL. Records passed to append_record are borrowed (ref them to
 *   keep them). All calls come from the calling thread.
 * @user_data: for @sink
 *
 * Simulates in slices of at most 12 hours: worker threads simulate and
 * sign every charger's slice, then the sink gets them charger by charger,
 * each charger's calls in time order and followed by save_state when the
 * charger did something.
 */
void
anx_sim_engine_run_until (AnxSimEngine     *engine,
                          gint64            until_us,
                          const AnxSimSink *sink,
                          gpointer          user_data)
{
  gint64 until;
  gint64 from = G_MAXINT64;
  guint chunk;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (sink != NULL);

  until = until_us >= 0 ? (until_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC
                        : -((-until_us) / G_USEC_PER_SEC);
  for (guint i = 0; i < engine->n_chargers; i++)
    from = MIN (from, engine->chargers[i].state.now);
  chunk = MAX (1, engine->n_chargers / (engine->n_threads * 8));

  while (from < until)
    {
      gint64 slice_end = MIN (until, (floor_div (from, SLICE_SECONDS) + 1) * SLICE_SECONDS);

      g_mutex_lock (&engine->lock);
      engine->tasks_left = 0;
      for (guint first = 0; first < engine->n_chargers; first += chunk)
        {
          Task *task = g_new0 (Task, 1);

          task->first = first;
          task->last = MIN (engine->n_chargers, first + chunk);
          task->until = slice_end;
          engine->tasks_left++;
          g_thread_pool_push (engine->pool, task, NULL);
        }
      while (engine->tasks_left > 0)
        g_cond_wait (&engine->done, &engine->lock);
      g_mutex_unlock (&engine->lock);

      for (guint i = 0; i < engine->n_chargers; i++)
        emit_charger (engine, sink, user_data, &engine->chargers[i]);
      from = slice_end;
    }

  engine->time_us = MAX (engine->time_us, until_us);
}
