/* anx-verify-ocmf.h: `anxin-verify ocmf`, signed meter records line by line
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int anx_verify_ocmf_run (int    argc,
                         char **argv);

G_END_DECLS
