/* Stream display helpers shared by the stream, kv and backup commands. */
#ifndef BALLAST_CLI_STREAM_H
#define BALLAST_CLI_STREAM_H

#include <jansson.h>
#include <stdint.h>

#include "format.h"

/* Prints a StreamInfo JSON object (config, created, state and, when the
 * reply has one, cluster) like "nats stream info": "Information for Stream
 * X created ..." then the Configuration, Cluster Information and State
 * sections. */
void stream_print_info(json_t *info);

/* Adds the "Cluster Information" section for a ClusterInfo object (name,
 * leader, replicas with current/offline/active/lag) to `d`; does nothing
 * when `cluster` is NULL or empty. Shared with consumer info. */
void cluster_section(struct kv_display *d, json_t *cluster);

/* "n1*, n2, n3!" for the report's Replicas column: the leader starred,
 * replicas that are not current marked "!". Returns a malloc'd string
 * (bl_free()), "" when there is no cluster information. */
char *cluster_replicas_text(json_t *cluster);

/* Formats nanoseconds since an RFC 3339 time `ts` until now as a rounded
 * duration ("5s"), or "never" when ts is missing or zero. */
char *fmt_since(const char *ts, char *out);

#endif
