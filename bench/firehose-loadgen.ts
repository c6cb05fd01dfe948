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

/**
 * The load generator must not eat the CPU the server under test needs (at 40k/s building each
 * message as an object, stringifying it and a fresh header set took a third of a core), so each
 * message is its sample's JSON text with the id and times spliced in. Checked against `encode`
 * at start-up, so it cannot drift from what the merger would publish.
 */
class Payloads {
  private static readonly ID = 'id-marker-7f3a';
  private static readonly TS = 987_654_321_012;
  private readonly parts: string[][] = [];

  constructor() {
    for (let n = 0; ; n++) {
      const parts = JSON.stringify(sampleLiquidation(n, Payloads.ID, Payloads.TS)).split(new RegExp(`${Payloads.ID}|${Payloads.TS}`));
      if (n > 0 && parts.join() === this.parts[0]!.join()) break;
      this.parts.push(parts);
    }
    for (let n = 0; n < this.parts.length * 2; n++) {
      const got = Buffer.from(this.build(n, `check-${n}`, 1_763_800_000_000 + n)).toString();
      const want = Buffer.from(encode(sampleLiquidation(n, `check-${n}`, 1_763_800_000_000 + n))).toString();
      if (got !== want) throw new Error(`payload template drifted from sampleLiquidation: ${got} != ${want}`);
    }
  }

  build(n: number, id: string, ts: number): Buffer {
    const p = this.parts[n % this.parts.length]!;
    return Buffer.from(p[0]! + id + p[1]! + ts + p[2]! + ts + p[3]!);
  }
}

async function run(job: LoadgenJob): Promise<LoadgenResult> {
  const nc = await connectBus({ url: job.natsUrl, name: 'bench-loadgen' });
  const subject = subjects.consensusLiq();
  const total = Math.round((job.rate * job.durationMs) / 1000);
  const payloads = new Payloads();
  // publish encodes the headers at once, so one set serves every message
  const h = natsHeaders();
  while (wallMs() < job.startAtMs) await new Promise((r) => setTimeout(r, 1));
  const t0 = wallMs();
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((wallMs() - t0) * job.rate) / 1000));
    for (; n < due; n++) {
      const now = wallMs();
      const id = `${Math.round(now * 1000)}-${n}`;
      h.set('Nats-Msg-Id', id);
      nc.publish(subject, payloads.build(n, id, Math.floor(now)), { headers: h });
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
