/* checksum-job.h: checksumming a folder with Weft tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <weft.h>

#include "checksum-item.h"

G_BEGIN_DECLS

typedef enum
{
  CHECKSUM_JOB_IDLE,
  CHECKSUM_JOB_SCANNING,
  CHECKSUM_JOB_HASHING,
  CHECKSUM_JOB_DONE,
  CHECKSUM_JOB_CANCELLED,
  CHECKSUM_JOB_FAILED,
} ChecksumJobState;

#define CHECKSUM_TYPE_JOB (checksum_job_get_type ())
G_DECLARE_FINAL_TYPE (ChecksumJob, checksum_job, CHECKSUM, JOB, GObject)

ChecksumJob      *checksum_job_new             (WeftLoop    *loop,
                                                GFile       *folder,
                                                guint        n_workers);
void              checksum_job_start           (ChecksumJob *self);
void              checksum_job_cancel          (ChecksumJob *self);
gboolean          checksum_job_is_finished     (ChecksumJob *self);
ChecksumJobState  checksum_job_get_state       (ChecksumJob *self);
const char       *checksum_job_get_message     (ChecksumJob *self);
GListModel       *checksum_job_get_items       (ChecksumJob *self);
guint             checksum_job_get_files_done  (ChecksumJob *self);
guint64           checksum_job_get_bytes_done  (ChecksumJob *self);
guint64           checksum_job_get_bytes_total (ChecksumJob *self);
guint             checksum_job_get_max_busy    (ChecksumJob *self);
WeftTask         *checksum_job_get_task        (ChecksumJob *self);

G_END_DECLS
