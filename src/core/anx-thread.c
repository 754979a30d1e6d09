/* anx-thread.c: background threads that leave the cores to the UI thread
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-thread"
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SCHED_BATCH */
#endif

#include "config.h"

#ifdef __linux__
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "anx-thread.h"

/**
 * anx_thread_lower_priority:
 *
 * The calling thread never preempts the UI thread when it wakes up
 * (SCHED_BATCH) and yields to it when both want a core (nice 5; a nice
 * value weighs against the threads of the same autogroup only, not against
 * other programs, so it costs no throughput on a busy machine). For a
 * thread of its own: without privileges it cannot be raised again, so not
 * for a thread of GLib's shared pool.
 */
void
anx_thread_lower_priority (void)
{
#ifdef __linux__
  struct sched_param param = { 0 };

  sched_setscheduler (0, SCHED_BATCH, &param);
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 5);
#endif
}
