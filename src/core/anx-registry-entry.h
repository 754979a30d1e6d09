/* anx-registry-entry.h: a charger's registry entry, loaded from the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "anx-charger-entry.h"
#include "anx-store.h"

G_BEGIN_DECLS

AnxChargerEntry *anx_registry_entry_load   (AnxStore   *store,
                                            sqlite3    *db,
                                            const char *code);
GBytes          *anx_registry_hex_to_bytes (const char *hex);

G_END_DECLS
