/**
 * What `bookfuse demo` runs, as data: the children (which service, which environment) and the
 * ports they listen on, for the one-of-each demo and for `--cluster` (two of each behind a
 * three-node NATS cluster). Pure, so the topology is testable without starting anything; every
 * port can be moved by an environment variable so tests run on free ports.
 */
import { venueIds, venueModule } from '../../libs/venues/index.js';

export type ServiceName = 'simulator' | 'collector' | 'merger' | 'gateway' | 'firehose';

export interface PlannedChild {
  /** unique among the children, e.g. `merger-2` */
  name: string;
  service: ServiceName;
  env: NodeJS.ProcessEnv;
}

export interface DemoPorts {
  sim: number;
  collectors: number[];
  mergers: number[];
  gateways: number[];
  firehoses: number[];
}

export interface ClusterPorts {
  client: number[];
  cluster: number[];
  monitor: number[];
}

export interface DemoPlan {
  children: PlannedChild[];
  ports: DemoPorts;
  simVenues: string[];
}

/** The cluster's NATS node ports (#14: 4241–4243, routes 6241–6243, monitoring 8241–8243). */
export function clusterPorts(env: NodeJS.ProcessEnv): ClusterPorts {
  return {
    client: ports(env, 'BOOKFUSE_DEMO_NATS_PORTS', [4241, 4242, 4243]),
    cluster: ports(env, 'BOOKFUSE_DEMO_NATS_CLUSTER_PORTS', [6241, 6242, 6243]),
    monitor: ports(env, 'BOOKFUSE_DEMO_NATS_MONITOR_PORTS', [8241, 8242, 8243]),
  };
}

export function demoPorts(env: NodeJS.ProcessEnv, cluster: boolean): DemoPorts {
  const one = (name: string, dflt: number) => ports(env, name, [dflt]);
  if (!cluster) {
    return { sim: one('SIM_PORT', 9090)[0]!, collectors: one('COLLECTOR_PORT', 9101), mergers: one('MERGER_PORT', 9102), gateways: one('GATEWAY_PORT', 8080), firehoses: one('FIREHOSE_PORT', 8081) };
  }
  return {
    sim: one('SIM_PORT', 9090)[0]!,
    collectors: ports(env, 'COLLECTOR_PORTS', [9101, 9111]),
    mergers: ports(env, 'MERGER_PORTS', [9102, 9112]),
    gateways: ports(env, 'GATEWAY_PORTS', [8080, 8090]),
    firehoses: ports(env, 'FIREHOSE_PORTS', [8081, 8091]),
  };
}

export interface PlanOptions {
  env: NodeJS.ProcessEnv;
  natsUrl: string;
  live: boolean;
  cluster: boolean;
  key: string;
}

export function demoPlan(o: PlanOptions): DemoPlan {
  const { env, live, cluster, key } = o;
  const p = demoPorts(env, cluster);
  const common: NodeJS.ProcessEnv = { ...env, NATS_URL: o.natsUrl, LOG_LEVEL: env['LOG_LEVEL'] ?? 'info', ...(cluster ? { LIQ_REPLICAS: env['LIQ_REPLICAS'] ?? '3' } : {}) };
  const simVenues = venueIds().filter((v) => venueModule(v).simulator);
  const children: PlannedChild[] = [];
  const name = (service: string, i: number, tags: string[]) => (cluster ? `${service}-${tags[i]}` : service);
  if (!live) children.push({ name: 'simulator', service: 'simulator', env: { ...common, SIM_PORT: String(p.sim), SIM_LIQUIDATIONS_PER_S: env['SIM_LIQUIDATIONS_PER_S'] ?? '0.1' } });
  const venues = live ? {} : { COLLECTOR_SIMULATOR_URL: `http://127.0.0.1:${p.sim}`, COLLECTOR_VENUES: env['COLLECTOR_VENUES'] ?? simVenues.join(',') };
  const lines = ['a', 'b'];
  p.collectors.forEach((port, i) =>
    children.push({ name: name('collector', i, lines), service: 'collector', env: { ...common, ...venues, COLLECTOR_PORT: String(port), ...(cluster ? { COLLECTOR_LINE: lines[i]!.toUpperCase() } : {}) } }),
  );
  const nums = ['1', '2'];
  // the mergers' lease must outlive any one node, as the liquidation streams do
  const lease = cluster ? { MERGER_LEASE_REPLICAS: env['MERGER_LEASE_REPLICAS'] ?? '3' } : {};
  p.mergers.forEach((port, i) => children.push({ name: name('merger', i, nums), service: 'merger', env: { ...common, ...lease, MERGER_PORT: String(port) } }));
  p.gateways.forEach((port, i) => {
    const firehose = p.firehoses[i] ?? p.firehoses[0];
    children.push({
      name: name('gateway', i, nums),
      service: 'gateway',
      env: { ...common, GATEWAY_PORT: String(port), GATEWAY_API_KEYS: env['GATEWAY_API_KEYS'] ?? key, GATEWAY_FIREHOSE_URL: env['GATEWAY_FIREHOSE_URL'] ?? `ws://127.0.0.1:${firehose}/ws/v1/liquidation/feed` },
    });
  });
  p.firehoses.forEach((port, i) => children.push({ name: name('firehose', i, nums), service: 'firehose', env: { ...common, FIREHOSE_PORT: String(port), FIREHOSE_API_KEYS: env['FIREHOSE_API_KEYS'] ?? key } }));
  return { children, ports: p, simVenues };
}

/** A comma-separated port list from `name`, or the defaults. */
function ports(env: NodeJS.ProcessEnv, name: string, dflt: number[]): number[] {
  const raw = env[name];
  if (!raw) return dflt;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length !== dflt.length || list.some((n) => !Number.isInteger(n) || n < 0 || n > 65535)) {
    throw new Error(`${name} must be ${dflt.length} port number(s), comma-separated (got "${raw}")`);
  }
  return list;
}
