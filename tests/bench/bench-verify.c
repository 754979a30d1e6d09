/* bench-verify.c: how fast signed meter records verify, beside OpenSSL
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints records verified per second on one thread and on all cores next to
 * `openssl speed -seconds 3 ecdsap256` (run here, in the same run), plus
 * parse-only and hash-only rates to show where the time goes. The target
 * is 90 % of OpenSSL's per-core P-256 verify rate per thread, scaling
 * linearly. The figures that count are "from text": each record is parsed
 * from its OCMF text, hashed and verified, as a real consumer must; the
 * "pre-parsed" figures (hash + verify of records parsed beforehand) are
 * printed too, labelled as such. Exits non-zero only on errors (a record
 * that does not verify, a setup failure), not on missing the target.
 *
 * ANXIN_BENCH_SECONDS sets our measuring time per figure (default 3; OpenSSL's
 * is always 3), ANXIN_BENCH_ROUNDS how often both are measured (default 2,
 * the best of each counts).
 */

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

#define N_RECORDS 256
#define TARGET_RATIO 0.90

typedef struct
{
  AnxMeterKey *key;
  AnxOcmf **records;
  char **texts;
  double seconds;
} Bench;

typedef struct
{
  Bench *bench;
  guint offset;
  gint *start;
  guint64 count;
  double cpu_seconds;
  long waits; /* voluntary context switches: the thread blocked */
  gboolean failed;
} Worker;

/* What one measurement found. OpenSSL's `speed` divides by the user CPU time
 * of its process (unless given -elapsed), so `cpu` is the figure to put
 * beside it: operations per CPU-second of each thread, summed over the
 * threads. `wall` is what a user waiting would see; on a machine shared with
 * other work it can be lower. */
typedef struct
{
  double cpu;
  double wall;
  double busy;         /* CPU time of our threads / (wall time x threads) */
  double waits_per_op; /* times a thread blocked (a lock, I/O) per operation */
} Rate;

static char *
make_payload (guint n)
{
  return g_strdup_printf (
      "{\"FV\":\"1.0\",\"GI\":\"ANXIN DC-120\",\"GS\":\"HZ-%06u\",\"GV\":\"2.3.1\",\"PG\":\"T%u\","
      "\"MV\":\"Anxin\",\"MM\":\"DCM-1\",\"MS\":\"M-%06u\",\"MF\":\"1.0.4\",\"IS\":true,"
      "\"IL\":\"VERIFIED\",\"IF\":[\"RFID_PLAIN\",\"OCPP_RS_TLS\"],\"IT\":\"ISO14443\","
      "\"ID\":\"04A1B2C3D4\",\"TT\":\"峰 1.20 元/kWh | 谷 0.40 元/kWh\",\"CT\":\"EVSEID\","
      "\"CI\":\"CN*HZ*E%06u\",\"RD\":[{\"TM\":\"2026-11-21T09:00:00,000+0800 S\",\"TX\":\"B\","
      "\"RV\":%u.125,\"RI\":\"1-0:1.8.0\",\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\",\"ST\":\"G\"},"
      "{\"TM\":\"2026-11-21T09:40:00,000+0800 S\",\"TX\":\"E\",\"RV\":%u.500,\"RI\":\"1-0:1.8.0\","
      "\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\",\"ST\":\"G\"}]}",
      n, n, n, n, 1000 + n, 1030 + n);
}

static gboolean
setup (Bench                 *bench,
       AnxSignatureAlgorithm  algorithm)
{
  g_autoptr(GError) error = NULL;

  bench->key = anx_meter_key_generate (algorithm, &error);
  if (bench->key == NULL)
    {
      g_printerr ("bench-verify: %s\n", error->message);
      return FALSE;
    }
  bench->records = g_new0 (AnxOcmf *, N_RECORDS);
  bench->texts = g_new0 (char *, N_RECORDS + 1);
  for (guint i = 0; i < N_RECORDS; i++)
    {
      g_autofree char *payload = make_payload (i);

      bench->texts[i] = anx_signature_sign_ocmf (bench->key, payload, FALSE, &error);
      if (bench->texts[i] == NULL)
        {
          g_printerr ("bench-verify: %s\n", error->message);
          return FALSE;
        }
      bench->records[i] = anx_ocmf_parse (bench->texts[i], -1, &error);
      if (bench->records[i] == NULL)
        {
          g_printerr ("bench-verify: %s\n", error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static void
teardown (Bench *bench)
{
  for (guint i = 0; i < N_RECORDS; i++)
    g_clear_pointer (&bench->records[i], anx_ocmf_unref);
  g_free (bench->records);
  g_strfreev (bench->texts);
  g_clear_pointer (&bench->key, anx_meter_key_unref);
}

typedef enum
{
  WORK_VERIFY,      /* pre-parsed record: hash + verify */
  WORK_VERIFY_TEXT, /* from its text: parse + hash + verify */
  WORK_PARSE,
  WORK_HASH,
} Work;

static gboolean
do_one (Bench      *bench,
        Work        work,
        guint       i,
        EVP_MD_CTX *md)
{
  switch (work)
    {
    case WORK_VERIFY:
      return anx_signature_verify_ocmf (bench->records[i], bench->key, NULL) == ANX_SIGNATURE_VALID;
    case WORK_VERIFY_TEXT:
      {
        AnxOcmf *ocmf = anx_ocmf_parse (bench->texts[i], -1, NULL);
        gboolean valid;

        if (ocmf == NULL)
          return FALSE;
        valid = anx_signature_verify_ocmf (ocmf, bench->key, NULL) == ANX_SIGNATURE_VALID;
        anx_ocmf_unref (ocmf);
        return valid;
      }
    case WORK_PARSE:
      {
        AnxOcmf *ocmf = anx_ocmf_parse (bench->texts[i], -1, NULL);

        if (ocmf == NULL)
          return FALSE;
        anx_ocmf_unref (ocmf);
        return TRUE;
      }
    case WORK_HASH:
      {
        guint8 digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        gsize payload_len;
        const char *payload = anx_ocmf_get_payload (bench->records[i], &payload_len);

        return EVP_DigestInit_ex2 (md, EVP_sha256 (), NULL) == 1 &&
               EVP_DigestUpdate (md, payload, payload_len) == 1 &&
               EVP_DigestFinal_ex (md, digest, &len) == 1;
      }
    default:
      return FALSE;
    }
}

typedef struct
{
  Worker worker;
  Work work;
} Job;

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static gpointer
run_worker (gpointer data)
{
  Job *job = data;
  Worker *w = &job->worker;
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  struct rusage usage0, usage1;
  gint64 deadline;
  double cpu0;
  guint i = w->offset;

  /* Every thread starts together, so the total is a true parallel rate */
  while (!g_atomic_int_get (w->start))
    g_thread_yield ();

  getrusage (RUSAGE_THREAD, &usage0);
  cpu0 = thread_cpu_seconds ();
  deadline = g_get_monotonic_time () + (gint64) (w->bench->seconds * G_USEC_PER_SEC);
  for (;;)
    {
      for (guint k = 0; k < 32; k++)
        {
          if (!do_one (w->bench, job->work, i, md))
            w->failed = TRUE;
          i = (i + 1) % N_RECORDS;
          w->count++;
        }
      if (g_get_monotonic_time () >= deadline)
        break;
    }
  w->cpu_seconds = thread_cpu_seconds () - cpu0;
  getrusage (RUSAGE_THREAD, &usage1);
  w->waits = usage1.ru_nvcsw - usage0.ru_nvcsw;
  EVP_MD_CTX_free (md);
  return NULL;
}

/* Measures @work on @n_threads threads; returns FALSE if any record failed. */
static gboolean
measure (Bench *bench,
         Work   work,
         guint  n_threads,
         Rate  *rate)
{
  g_autofree Job *jobs = g_new0 (Job, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  gint start = 0;
  gint64 t0, t1;
  guint64 total = 0;
  long waits = 0;
  double cpu_total = 0, wall;
  gboolean failed = FALSE;

  for (guint t = 0; t < n_threads; t++)
    {
      jobs[t].work = work;
      jobs[t].worker.bench = bench;
      jobs[t].worker.offset = (t * N_RECORDS) / n_threads;
      jobs[t].worker.start = &start;
      threads[t] = g_thread_new ("bench", run_worker, &jobs[t]);
    }
  t0 = g_get_monotonic_time ();
  g_atomic_int_set (&start, 1);
  rate->cpu = 0;
  for (guint t = 0; t < n_threads; t++)
    {
      g_thread_join (threads[t]);
      total += jobs[t].worker.count;
      cpu_total += jobs[t].worker.cpu_seconds;
      waits += jobs[t].worker.waits;
      if (jobs[t].worker.cpu_seconds > 0)
        rate->cpu += (double) jobs[t].worker.count / jobs[t].worker.cpu_seconds;
      failed |= jobs[t].worker.failed;
    }
  t1 = g_get_monotonic_time ();

  wall = (double) (t1 - t0) / G_USEC_PER_SEC;
  rate->wall = (double) total / wall;
  rate->busy = cpu_total / (wall * n_threads);
  rate->waits_per_op = total > 0 ? (double) waits / (double) total : 0;
  return !failed;
}

/* Runs `openssl speed -seconds 3 ecdsap256` (with `-multi N` when
 * @n_processes > 1) and returns its verify/s, the total over processes. */
static double
openssl_verify_rate (guint   n_processes,
                     char  **raw_line)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *multi = g_strdup_printf ("%u", n_processes);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "openssl", "speed", "-seconds", "3", "ecdsap256", NULL, NULL, NULL };
  int status = 0;
  double rate = -1;

  if (n_processes > 1)
    {
      argv[4] = "-multi";
      argv[5] = multi;
      argv[6] = "ecdsap256";
    }

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    {
      g_printerr ("bench-verify: cannot run openssl speed: %s\n", error->message);
      return -1;
    }
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-verify: openssl speed failed: %s\n%s", error->message, err);
      return -1;
    }

  /* "256 bits ecdsa (nistp256)   0.0000s   0.0001s  40012.3  13345.6" */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "nistp256") != NULL && strstr (lines[i], "bits") != NULL)
      {
        g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
        const char *last = NULL;

        for (guint f = 0; fields[f] != NULL; f++)
          if (*fields[f] != '\0')
            last = fields[f];
        if (last != NULL)
          {
            char *end = NULL;
            double v = g_ascii_strtod (last, &end);

            if (end != last && v > 0)
              {
                rate = v;
                *raw_line = g_strdup (lines[i]);
              }
          }
      }
  if (rate < 0)
    g_printerr ("bench-verify: no nistp256 line in openssl speed output:\n%s", out);
  return rate;
}

static const char *
verdict (double ratio,
         double target)
{
  return ratio >= target ? "PASS" : "MISS";
}

int
main (int   argc,
      char *argv[])
{
  Bench p256 = { 0 }, sm2 = { 0 };
  guint n_cores = g_get_num_processors ();
  const char *seconds_env = g_getenv ("ANXIN_BENCH_SECONDS");
  double seconds = seconds_env != NULL ? g_ascii_strtod (seconds_env, NULL) : 3.0;
  const char *rounds_env = g_getenv ("ANXIN_BENCH_ROUNDS");
  guint rounds = 2;
  Rate parse, hash, sm2_rate;
  Rate verify1 = { -1, -1, 0, 0 }, verify_n = { -1, -1, 0, 0 };
  Rate text1 = { -1, -1, 0, 0 }, text_n = { -1, -1, 0, 0 };
  double openssl_rate = -1;
  g_autofree char *openssl_line = NULL;
  gboolean ok = TRUE;

  if (seconds <= 0)
    seconds = 3.0;
  if (rounds_env != NULL)
    rounds = (guint) CLAMP (g_ascii_strtoull (rounds_env, NULL, 10), 1, 10);
  p256.seconds = sm2.seconds = seconds;

  if (!setup (&p256, ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256) ||
      !setup (&sm2, ANX_SIGNATURE_ALGORITHM_SM2_SM3))
    return 1;

  g_print ("records: %u distinct OCMF records, payload ~%" G_GSIZE_FORMAT " bytes; %u cores; "
           "%.1f s per figure, best of %u rounds\n",
           N_RECORDS, strlen (p256.texts[0]), n_cores, seconds, rounds);

  /* The machine may be shared: measure OpenSSL and ourselves alternately,
   * several rounds, and keep the best figure of each. */
  for (guint round = 0; round < rounds && ok; round++)
    {
      g_autofree char *line = NULL;
      double o1;
      Rate v1, vn, t1, tn;

      o1 = openssl_verify_rate (1, &line);
      ok &= measure (&p256, WORK_VERIFY_TEXT, 1, &t1);
      ok &= measure (&p256, WORK_VERIFY_TEXT, n_cores, &tn);
      ok &= measure (&p256, WORK_VERIFY, 1, &v1);
      ok &= measure (&p256, WORK_VERIFY, n_cores, &vn);
      g_print ("round %u: openssl %.0f/s; from text: 1 thread %.0f/s (wall %.0f/s), %u threads "
               "%.0f/s (wall %.0f/s, %.0f %% busy); pre-parsed: 1 thread %.0f/s, %u threads "
               "%.0f/s\n",
               round + 1, o1, t1.cpu, t1.wall, n_cores, tn.cpu, tn.wall, 100.0 * tn.busy, v1.cpu,
               n_cores, vn.cpu);
      if (o1 > openssl_rate)
        {
          openssl_rate = o1;
          g_free (openssl_line);
          openssl_line = g_steal_pointer (&line);
        }
      if (t1.cpu > text1.cpu)
        text1 = t1;
      if (tn.cpu > text_n.cpu)
        text_n = tn;
      if (v1.cpu > verify1.cpu)
        verify1 = v1;
      if (vn.cpu > verify_n.cpu)
        verify_n = vn;
    }
  if (openssl_line != NULL)
    g_print ("openssl speed -seconds 3 ecdsap256: %s\n", openssl_line);

  ok &= measure (&p256, WORK_PARSE, 1, &parse);
  ok &= measure (&p256, WORK_HASH, 1, &hash);
  ok &= measure (&sm2, WORK_VERIFY, 1, &sm2_rate);

  if (!ok)
    {
      g_printerr ("bench-verify: a record failed to parse, hash or verify\n");
      teardown (&p256);
      teardown (&sm2);
      return 1;
    }

  /* Where the time of one verification from text goes */
  g_print ("parse only 1 thread: %.0f/s (%.2f us per record, %.1f %% of a verification from "
           "text)\n",
           parse.cpu, 1e6 / parse.cpu, 100.0 * text1.cpu / parse.cpu);
  g_print ("hash only (SHA-256 of payload) 1 thread: %.0f/s (%.2f us per record, %.1f %% of a "
           "verification from text)\n",
           hash.cpu, 1e6 / hash.cpu, 100.0 * text1.cpu / hash.cpu);

  if (openssl_rate > 0)
    {
      double ratio_t1 = text1.cpu / openssl_rate;
      double ratio_tn = text_n.cpu / (openssl_rate * n_cores);
      double ratio1 = verify1.cpu / openssl_rate;
      double ratio_n = verify_n.cpu / (openssl_rate * n_cores);

      g_print ("verify p256 from text (parse + hash + verify), 1 thread: %.0f/s (openssl: %.0f/s, "
               "ratio %.3f) %s (target >= %.2f; wall clock %.0f/s)\n",
               text1.cpu, openssl_rate, ratio_t1, verdict (ratio_t1, TARGET_RATIO), TARGET_RATIO,
               text1.wall);
      g_print ("verify p256 from text (parse + hash + verify), %u threads: %.0f/s (openssl x %u: "
               "%.0f/s, ratio %.3f; %.2f of linear) %s (target >= %.2f; wall clock %.0f/s, "
               "threads %.0f %% busy, %.4f blocking waits per verification)\n",
               n_cores, text_n.cpu, n_cores, openssl_rate * n_cores, ratio_tn,
               text_n.cpu / (text1.cpu * n_cores), verdict (ratio_tn, TARGET_RATIO), TARGET_RATIO,
               text_n.wall, 100.0 * text_n.busy, text_n.waits_per_op);
      g_print ("verify p256 pre-parsed (hash + verify only), 1 thread: %.0f/s (openssl: %.0f/s, "
               "ratio %.3f) %s (target >= %.2f; wall clock %.0f/s)\n",
               verify1.cpu, openssl_rate, ratio1, verdict (ratio1, TARGET_RATIO), TARGET_RATIO,
               verify1.wall);
      g_print ("verify p256 pre-parsed (hash + verify only), %u threads: %.0f/s (openssl x %u: "
               "%.0f/s, ratio %.3f; %.2f of linear) %s (target >= %.2f)\n",
               n_cores, verify_n.cpu, n_cores, openssl_rate * n_cores, ratio_n,
               verify_n.cpu / (verify1.cpu * n_cores), verdict (ratio_n, TARGET_RATIO),
               TARGET_RATIO);
      /* Per-thread CPU rates cannot show threads waiting on each other;
       * voluntary context switches can: a thread that blocks gives up the
       * CPU voluntarily, one preempted by other work on the machine does not. */
      g_print ("verify p256 pre-parsed, %u threads: wall clock %.0f/s, threads %.0f %% busy, "
               "%.4f blocking waits per verification (0 = no lock contention)\n",
               n_cores, verify_n.wall, 100.0 * verify_n.busy, verify_n.waits_per_op);
    }
  else
    {
      g_print ("verify p256 from text, 1 thread: %.0f/s (openssl: n/a) MISS (no OpenSSL "
               "figure)\n",
               text1.cpu);
      g_print ("verify p256 from text, %u threads: %.0f/s (%.2f of linear)\n", n_cores,
               text_n.cpu, text_n.cpu / (text1.cpu * n_cores));
      g_print ("verify p256 pre-parsed, 1 thread: %.0f/s; %u threads: %.0f/s\n", verify1.cpu,
               n_cores, verify_n.cpu);
    }
  g_print ("verify sm2 1 thread: %.0f/s (for reference; no OpenSSL speed figure for SM2)\n",
           sm2_rate.cpu);

  teardown (&p256);
  teardown (&sm2);
  return 0;
}
