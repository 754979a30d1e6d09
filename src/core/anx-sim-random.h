/* anx-sim-random.h: the simulator's portable pseudo-random numbers
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated network and the simulation engine must give the same
 * output for a seed on every machine and every GLib, so they carry their own
 * generator (xoshiro256**, seeded through splitmix64) instead of g_random.
 * Each kind of entity draws from its own stream keyed by (seed, purpose,
 * index). Inline: the engine draws millions of numbers a simulated day.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 s[4];
} AnxSimRandom;

static inline guint64
anx_sim_random_splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Seeds @rng for stream (@seed, @stream, @index). */
static inline void
anx_sim_random_init (AnxSimRandom *rng,
                     guint64       seed,
                     guint64       stream,
                     guint64       index)
{
  guint64 state = seed;

  state = anx_sim_random_splitmix64 (&state) ^ stream;
  state = anx_sim_random_splitmix64 (&state) ^ index;
  for (guint i = 0; i < G_N_ELEMENTS (rng->s); i++)
    rng->s[i] = anx_sim_random_splitmix64 (&state);
}

static inline guint64
anx_sim_random_rotl64 (guint64 x,
                       int     k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
anx_sim_random_next (AnxSimRandom *rng)
{
  guint64 *s = rng->s;
  guint64 result = anx_sim_random_rotl64 (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = anx_sim_random_rotl64 (s[3], 45);
  return result;
}

/* Uniform in [0, 1). */
static inline double
anx_sim_random_double (AnxSimRandom *rng)
{
  return (double) (anx_sim_random_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, @n), without modulo bias. */
static inline guint64
anx_sim_random_below (AnxSimRandom *rng,
                      guint64       n)
{
  guint64 limit;
  guint64 x;

  g_assert (n > 0);
  limit = G_MAXUINT64 - (G_MAXUINT64 % n);
  do
    x = anx_sim_random_next (rng);
  while (x >= limit);
  return x % n;
}

G_END_DECLS
