/**
 * The window price log (#16.5): JetStream keeps the last few `bookfuse.v1.consensus.window.*.*`
 * per subject, so a gateway that starts mid-window reads the current window's price (deliver
 * last per subject) and every gateway answers a subscribe with the same snapshot.
 */
import { DiscardPolicy, type NatsConnection, type StreamInfo } from 'nats';
import { findOrCreateStream } from './streams.js';
import { WINDOW_STREAM, subjects } from './subjects.js';

/** per (asset, interval): the current window and a few before it */
const KEEP_PER_SUBJECT = 8;

/** Find or create the stream; `replicas` (the merger's LIQ_REPLICAS) also scales an existing one where NATS allows. */
export async function ensureWindowStream(nc: NatsConnection, opts: { replicas?: number } = {}): Promise<StreamInfo> {
  const config = { name: WINDOW_STREAM, subjects: [subjects.allConsensusWindows()], max_msgs_per_subject: KEEP_PER_SUBJECT, discard: DiscardPolicy.Old, num_replicas: opts.replicas ?? 1 };
  return findOrCreateStream(nc, config, async (jsm, info) => {
    if (opts.replicas === undefined || info.config.num_replicas === opts.replicas) return info;
    return jsm.streams.update(WINDOW_STREAM, { ...info.config, num_replicas: opts.replicas }).catch(() => info);
  });
}
