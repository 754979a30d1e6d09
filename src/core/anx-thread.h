/* anx-thread.h: background threads that leave the cores to the UI thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void anx_thread_lower_priority (void);

G_END_DECLS
