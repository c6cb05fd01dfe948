/**
 * Firehose benchmark load generator: a separate process that plays the merger, publishing
 * liquidations on `bookfuse.v1.consensus.liq` (core NATS with Nats-Msg-Id, as the merger does)
 * at a fixed rate from a given wall-clock start for a given time.
 *
 * Each id is `<publish time, µs since the epoch>-<n>`: ids are opaque to the firehose, and this
 * lets a client compute publish → receipt latency from the bytes it got, with one clock (the
 * machine's) shared by every process.
 *
 * IPC in: {natsUrl, rate, startAtMs, durationMs}. IPC out: {published, elapsedMs}.
 */
import { headers as natsHeaders } from 'nats';
import { closeBus, connectBus, encode, subjects } from '../libs/bus/index.js';
import { sampleLiquidation } from '../test/helpers/sample-liquidation.js';

export interface LoadgenJob {
  natsUrl: string;
  rate: number;
  startAtMs: number;
  durationMs: number;
}

export interface LoadgenResult {
  published: number;
  elapsedMs: number;
}

const wallMs = (): number => performance.timeOrigin + performance.now();

async function run(job: LoadgenJob): Promise<LoadgenResult> {
  const nc = await connectBus({ url: job.natsUrl, name: 'bench-loadgen' });
  const subject = subjects.consensusLiq();
  const total = Math.round((job.rate * job.durationMs) / 1000);
  while (wallMs() < job.startAtMs) await new Promise((r) => setTimeout(r, 1));
  const t0 = wallMs();
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((wallMs() - t0) * job.rate) / 1000));
    for (; n < due; n++) {
      const now = wallMs();
      const m = sampleLiquidation(n, `${Math.round(now * 1000)}-${n}`, Math.floor(now));
      const h = natsHeaders();
      h.set('Nats-Msg-Id', m.id);
      nc.publish(subject, encode(m), { headers: h });
    }
    // yield so the socket writes; the next due count catches up whatever the timer slept
    await new Promise((r) => setTimeout(r, 1));
  }
  // a starved nats-server may drop us for a moment; the client reconnects and resends its buffer
  for (let tries = 0; ; tries++) {
    try {
      await nc.flush();
      break;
    } catch (e) {
      if (tries >= 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const elapsedMs = wallMs() - t0;
  await closeBus(nc);
  return { published: n, elapsedMs };
}

process.once('message', (job: LoadgenJob) => {
  run(job).then(
    (r) => process.send!(r, () => process.exit(0)),
    (e: unknown) => {
      process.stderr.write(`loadgen: ${String(e)}\n${(e as Error).stack ?? ''}\n`);
      process.exit(1);
    },
  );
});
