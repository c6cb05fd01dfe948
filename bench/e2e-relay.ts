/**
 * The transport floor of the end-to-end suite: processes that only move bytes along bookfuse's
 * topology (venue socket → collector → NATS → merger → NATS → gateway → client socket), doing no
 * parsing, syncing or merging. Measured in the same run as bookfuse at the same cadence, it shows
 * what the hops alone cost on this machine.
 *
 * IPC in: {mode, natsUrl, from?, to?, wsUrl?}. Modes:
 *   ws-to-nats    connect to wsUrl, publish every text frame to `to`          (the collector's place)
 *   nats-to-nats  subscribe `from`, publish each message to `to`              (the merger's place)
 *   nats-to-ws    subscribe `from`, send each message to every ws client      (the gateway's place)
 * IPC out: {port} (nats-to-ws) or 'ready'.
 */
import WebSocket, { WebSocketServer } from 'ws';
import { connectBus } from '../libs/bus/index.js';

interface RelayJob {
  mode: 'ws-to-nats' | 'nats-to-nats' | 'nats-to-ws';
  natsUrl: string;
  from?: string;
  to?: string;
  wsUrl?: string;
}

process.once('message', (job: RelayJob) => {
  void (async () => {
    const nc = await connectBus({ url: job.natsUrl, name: `relay-${job.mode}` });
    if (job.mode === 'ws-to-nats') {
      const ws = new WebSocket(job.wsUrl!, { perMessageDeflate: false });
      ws.on('message', (d) => nc.publish(job.to!, d as Buffer));
      ws.once('open', () => process.send!('ready'));
      return;
    }
    if (job.mode === 'nats-to-nats') {
      nc.subscribe(job.from!, { callback: (_e, m) => nc.publish(job.to!, m.data) });
      await nc.flush();
      process.send!('ready');
      return;
    }
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    nc.subscribe(job.from!, {
      callback: (_e, m) => {
        for (const c of wss.clients) c.send(m.data, { binary: false });
      },
    });
    await nc.flush();
    process.send!({ port: (wss.address() as { port: number }).port });
  })();
});
