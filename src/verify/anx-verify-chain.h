/* anx-verify-chain.h: `anxin-verify chain`, an evidence bundle end to end
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int anx_verify_chain_run (int    argc,
                          char **argv);

G_END_DECLS
