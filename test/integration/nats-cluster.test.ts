/**
 * The test cluster itself: three nats-server nodes joined by routes form one JetStream cluster,
 * keep a three-replica stream through the loss of any one node, and take the node back.
 */
import { connect, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type TestNatsCluster } from '../helpers/nats.js';

describe('a three-node NATS cluster on loopback', () => {
  let cluster: TestNatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.dispose();
  });

  it('keeps a three-replica stream writable and readable while any one node is down', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'CLUSTER_CHECK', subjects: ['cluster.check'], retention: RetentionPolicy.Limits, storage: StorageType.File, num_replicas: 3 });
    const js = nc.jetstream();
    await js.publish('cluster.check', new TextEncoder().encode('1'));
    const connectedTo = cluster.urls.findIndex((u) => u.endsWith(`:${nc.info?.port}`));
    await cluster.kill(connectedTo);
    // the client moves to a surviving node; the stream elects a new leader if it lost it
    const deadline = Date.now() + 15_000;
    let ack;
    while (!ack) {
      try {
        ack = await js.publish('cluster.check', new TextEncoder().encode('2'), { timeout: 2_000 });
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(ack.seq).toBe(2);
    await cluster.start(connectedTo);
    const info = await jsm.streams.info('CLUSTER_CHECK');
    expect(info.state.messages).toBe(2);
    expect(info.config.num_replicas).toBe(3);
  });
});
