/* anx-feed-simulator.h: the simulated network's live feed, into the ledger
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "anx-feed-ledger.h"
#include "anx-feed-server.h"
#include "anx-sim-engine.h"
#include "anx-sim-network.h"

G_BEGIN_DECLS

#define ANX_TYPE_FEED_SIMULATOR (anx_feed_simulator_get_type ())

G_DECLARE_FINAL_TYPE (AnxFeedSimulator, anx_feed_simulator, ANX, FEED_SIMULATOR, GObject)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
gboolean          anx_feed_parse_anomalies      (const char               *text,
                                                 AnxSimAnomalyRates       *rates,
                                                 GError                  **error);

AnxFeedSimulator *anx_feed_simulator_new        (AnxFeedLedger            *ledger,
                                                 AnxFeedServer            *server,
                                                 AnxSimNetwork            *network,
                                                 const AnxSimAnomalyRates *rates,
                                                 gint64                    start_us,
                                                 guint                     backfill_days,
                                                 double                    speed,
                                                 const char               *ground_truth_path,
                                                 GError                  **error);
void              anx_feed_simulator_start      (AnxFeedSimulator         *self);
void              anx_feed_simulator_stop       (AnxFeedSimulator         *self);
gint64            anx_feed_simulator_get_time   (AnxFeedSimulator         *self);
gboolean          anx_feed_simulator_run_until  (AnxFeedSimulator         *self,
                                                 gint64                    until_us,
                                                 GError                  **error);
/* clang-format on */

G_END_DECLS
