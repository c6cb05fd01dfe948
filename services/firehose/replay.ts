/**
 * `?after=<seq>`: send the log from seq+1 to a client, then hand it to the live fan-out with no
 * gap and no duplicate. The replay reads its own consumer (libs/bus readerConsumer: in order, with
 * the log's replicas) until it has reached what the hub has already fanned out; at that moment
 * (synchronously, so no live turn can slip between) the client turns live with `lastSeq` = the
 * last seq it got, and the hub's `seq > lastSeq` rule sends it exactly what follows.
 *
 * The replay reads no faster than the client drains: it waits while the client's queue is over
 * half its caps, so a long replay never trips the slow-consumer cap on its own.
 */
import type { JsMsg, NatsConnection } from 'nats';
import { DeliveryCount, LIQ_STREAM, readerConsumer } from '../../libs/bus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { CloseCode, textFrame, type WriteQueueLimits } from '../../libs/ws/index.js';
import type { FeedConnection } from './connection.js';
import type { Hub } from './hub.js';
import { decodeEntry, liqStreamInfo } from './liq-log.js';
import type { FirehoseMetrics } from './metrics.js';
import { errorPayload, gapPayload } from './payload.js';

const REPLAY_BATCH = 256;
/** a fetch that waits this long for entries the hub has already seen means they are gone */
const REPLAY_FETCH_EXPIRES_MS = 1_000;
const ROOM_POLL_MS = 5;

export interface ReplayDeps {
  nc: NatsConnection;
  hub: Hub<FeedConnection>;
  log: Logger;
  metrics: FirehoseMetrics;
  limits: WriteQueueLimits;
  retentionMs: number;
  replicas?: number;
}

export async function replay(conn: FeedConnection, after: number, deps: ReplayDeps): Promise<void> {
  const { hub } = deps;
  const info = await liqStreamInfo(deps.nc, deps.retentionMs, deps.replicas);
  const { first_seq: first, last_seq: last } = info.state;
  if (after > last) {
    return refuse(conn, deps, 'ahead', `after=${after} is ahead of the log (last seq ${last}); the log may have been reset: reconnect without after`);
  }
  if (after + 1 < first) {
    return refuse(conn, deps, 'too_old', `seq ${after + 1} is older than the log's retention: the oldest seq kept is ${first}`);
  }
  conn.lastSeq = after;
  if (after >= hub.lastSeq) {
    goLive(conn, deps, 'ok');
    return;
  }

  // from what the client has: after+1 at first, and again after a pull lost in transit
  const open = () => readerConsumer(deps.nc, LIQ_STREAM, { opt_start_seq: conn.lastSeq + 1 }, { replicas: info.config.num_replicas });
  let consumer = await open();
  let count = new DeliveryCount();
  try {
    while (!conn.closing) {
      await roomFor(conn, deps.limits);
      if (conn.closing) return;
      const batch = await consumer.fetch({ max_messages: REPLAY_BATCH, expires: REPLAY_FETCH_EXPIRES_MS });
      let got = 0;
      let skipped = false;
      for await (const m of batch) {
        got++;
        if (conn.closing) break;
        const skip = count.skipBefore(m);
        if (skip) {
          // the log still holds what was lost in transit: read it again rather than call it missing
          deps.log.warn({ err: skip, after: conn.lastSeq }, 'replay lost deliveries in transit; reading again from what the client has');
          skipped = true;
          batch.stop();
          break;
        }
        send(conn, m, deps);
        if (conn.lastSeq >= hub.lastSeq) {
          batch.stop();
          goLive(conn, deps, 'ok');
          return;
        }
      }
      if (skipped) {
        void consumer.delete().catch(() => undefined);
        consumer = await open();
        count = new DeliveryCount();
        continue;
      }
      if (got === 0 && !conn.closing) {
        // the hub fanned out seqs the log no longer holds (deleted while we read)
        tellGap(conn, deps, conn.lastSeq + 1, hub.lastSeq);
        conn.lastSeq = hub.lastSeq;
        goLive(conn, deps, 'ok');
        return;
      }
    }
  } finally {
    consumer.delete().catch(() => undefined);
  }
}

function send(conn: FeedConnection, m: JsMsg, deps: ReplayDeps): void {
  const seq = m.seq;
  if (seq <= conn.lastSeq) return;
  if (seq > conn.lastSeq + 1) tellGap(conn, deps, conn.lastSeq + 1, seq - 1);
  const item = decodeEntry(m);
  if (!item) {
    conn.queue.push(textFrame(gapPayload(seq, seq, 'bad_message')));
  } else if (conn.matches(item.symbol!, item.venue!)) {
    conn.queue.push(item.frame);
    deps.metrics.replayedEvents.inc();
  }
  conn.lastSeq = seq;
}

function tellGap(conn: FeedConnection, deps: ReplayDeps, from: number, to: number): void {
  if (to < from) return;
  deps.metrics.gaps.inc({ reason: 'missing' });
  conn.queue.push(textFrame(gapPayload(from, to, 'missing')));
}

function goLive(conn: FeedConnection, deps: ReplayDeps, result: string): void {
  deps.metrics.replayRequests.inc({ result });
  conn.live = !conn.closing;
}

function refuse(conn: FeedConnection, deps: ReplayDeps, result: string, message: string): void {
  deps.metrics.replayRequests.inc({ result });
  deps.log.info({ result }, message);
  conn.close(CloseCode.BAD_REQUEST, `replay unavailable: ${message}`, errorPayload('REPLAY_UNAVAILABLE', message));
}

async function roomFor(conn: FeedConnection, limits: WriteQueueLimits): Promise<void> {
  while (!conn.closing && (conn.queue.depth > limits.maxMessages / 2 || conn.queue.queuedBytes > limits.maxBytes / 2)) {
    await new Promise((r) => setTimeout(r, ROOM_POLL_MS));
  }
}
