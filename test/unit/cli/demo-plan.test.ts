/**
 * The demo's topology as data: one of each service by default; with --cluster two collectors
 * (lines A and B), two mergers, two gateways and two firehoses on the ports #14 names, every one
 * given all NATS URLs and 3 liquidation replicas; every port movable by environment for tests.
 */
import { describe, expect, it } from 'vitest';
import { clusterPorts, demoPlan } from '../../../services/cli/demo-plan.js';

const URL3 = 'nats://127.0.0.1:4241,nats://127.0.0.1:4242,nats://127.0.0.1:4243';

describe('demoPlan', () => {
  it('runs one of each service on the classic ports', () => {
    const plan = demoPlan({ env: {}, natsUrl: 'nats://127.0.0.1:4222', live: false, cluster: false, key: 'demo' });
    expect(plan.children.map((c) => c.name)).toEqual(['simulator', 'collector', 'merger', 'gateway', 'firehose']);
    expect(plan.ports).toEqual({ sim: 9090, collectors: [9101], mergers: [9102], gateways: [8080], firehoses: [8081] });
    expect(plan.children.find((c) => c.name === 'collector')!.env['COLLECTOR_LINE']).toBeUndefined();
  });

  it('runs two of each service on the cluster ports, each with every NATS URL and LIQ_REPLICAS=3', () => {
    const plan = demoPlan({ env: {}, natsUrl: URL3, live: false, cluster: true, key: 'demo' });
    const byName = Object.fromEntries(plan.children.map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['simulator', 'collector-a', 'collector-b', 'merger-1', 'merger-2', 'gateway-1', 'gateway-2', 'firehose-1', 'firehose-2']);
    expect(byName['collector-a']!.env).toMatchObject({ COLLECTOR_PORT: '9101', COLLECTOR_LINE: 'A', COLLECTOR_SIMULATOR_URL: 'http://127.0.0.1:9090' });
    expect(byName['collector-b']!.env).toMatchObject({ COLLECTOR_PORT: '9111', COLLECTOR_LINE: 'B' });
    expect(byName['merger-1']!.env['MERGER_PORT']).toBe('9102');
    expect(byName['merger-2']!.env['MERGER_PORT']).toBe('9112');
    for (const m of ['merger-1', 'merger-2']) expect(byName[m]!.env['MERGER_LEASE_REPLICAS']).toBe('3');
    expect(byName['gateway-1']!.env).toMatchObject({ GATEWAY_PORT: '8080', GATEWAY_FIREHOSE_URL: 'ws://127.0.0.1:8081/ws/v1/liquidation/feed' });
    expect(byName['gateway-2']!.env).toMatchObject({ GATEWAY_PORT: '8090', GATEWAY_FIREHOSE_URL: 'ws://127.0.0.1:8091/ws/v1/liquidation/feed' });
    expect(byName['firehose-2']!.env['FIREHOSE_PORT']).toBe('8091');
    for (const c of plan.children) expect(c.env, c.name).toMatchObject({ NATS_URL: URL3, LIQ_REPLICAS: '3' });
    expect(clusterPorts({})).toEqual({ client: [4241, 4242, 4243], cluster: [6241, 6242, 6243], monitor: [8241, 8242, 8243] });
  });

  it('moves every port by environment and refuses a malformed list', () => {
    const env = { SIM_PORT: '1', COLLECTOR_PORTS: '2,3', MERGER_PORTS: '4,5', GATEWAY_PORTS: '6,7', FIREHOSE_PORTS: '8,9', BOOKFUSE_DEMO_NATS_PORTS: '10,11,12' };
    const plan = demoPlan({ env, natsUrl: URL3, live: false, cluster: true, key: 'k' });
    expect(plan.ports).toEqual({ sim: 1, collectors: [2, 3], mergers: [4, 5], gateways: [6, 7], firehoses: [8, 9] });
    expect(clusterPorts(env).client).toEqual([10, 11, 12]);
    expect(() => demoPlan({ env: { GATEWAY_PORTS: '8080' }, natsUrl: URL3, live: false, cluster: true, key: 'k' })).toThrow(/GATEWAY_PORTS/);
  });
});
