/**
 * The deployment files cross-checked by parsing (no Docker engine or cluster here), #14.6 and
 * #15.8: every Kubernetes manifest under deploy/k8s parses; selectors match the pod labels they
 * select; probes and Services hit container ports that exist, on paths the service really
 * serves, and the port each service is told to listen on; every environment variable named is in
 * that service's config schema and the whole environment passes the service's own config loader
 * (the consensus groups ConfigMap included); compose healthchecks hit real /readyz ports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadCollectorConfig } from '../../../services/collector/config.js';
import { loadFirehoseConfig } from '../../../services/firehose/config.js';
import { loadGatewayConfig } from '../../../services/gateway/config.js';
import { loadMergerConfig } from '../../../services/merger/config.js';
import { loadSimulatorConfig } from '../../../services/simulator/config.js';
import { nodeArgsFor } from '../../../services/cli/node-flags.js';

type Service = 'collector' | 'merger' | 'gateway' | 'firehose' | 'simulator';
type Env = Record<string, string>;

const src = (p: string) => readFileSync(p, 'utf8');

/** The variables a service's config schema reads, from its config.ts and the shared fields it uses. */
function schemaEnv(service: Service): Set<string> {
  const cfg = src(`services/${service}/config.ts`);
  const names = new Set([...cfg.matchAll(/env: '([A-Z0-9_]+)'/g)].map((m) => m[1]!));
  if (cfg.includes('...commonSchema')) for (const m of src('libs/config/env.ts').matchAll(/env: '([A-Z0-9_]+)'/g)) names.add(m[1]!);
  if (cfg.includes('commonSchema.logLevel')) names.add('LOG_LEVEL');
  if (cfg.includes('liqReplicasField')) names.add('LIQ_REPLICAS');
  names.add('BOOKFUSE_SERVICE'); // read by the image's entry point (deploy/Dockerfile)
  names.add('NODE_OPTIONS'); // read by node itself: the service's flags (services/cli/node-flags.ts)
  return names;
}

/** Where each service answers its probes, checked against the source that serves them. */
const SERVED: Record<Service, { paths: string[]; file: string; portVar: string; hostVar: string }> = {
  collector: { paths: ['/healthz', '/readyz', '/metrics'], file: 'libs/obs/ops-server.ts', portVar: 'COLLECTOR_PORT', hostVar: 'COLLECTOR_HOST' },
  merger: { paths: ['/healthz', '/readyz', '/metrics'], file: 'libs/obs/ops-server.ts', portVar: 'MERGER_PORT', hostVar: 'MERGER_HOST' },
  gateway: { paths: ['/healthz', '/readyz', '/metrics'], file: 'services/gateway/routes.ts', portVar: 'GATEWAY_PORT', hostVar: 'GATEWAY_HOST' },
  firehose: { paths: ['/healthz', '/readyz', '/metrics'], file: 'services/firehose/firehose.ts', portVar: 'FIREHOSE_PORT', hostVar: 'FIREHOSE_HOST' },
  simulator: { paths: ['/healthz'], file: 'libs/simulator/server.ts', portVar: 'SIM_PORT', hostVar: 'SIM_HOST' },
};

/** Runs the service's own config loader on an environment (throws BAD_CONFIG naming every bad variable). */
function loadConfig(service: Service, env: Env, files: Record<string, string> = {}): void {
  const loaders: Record<Service, () => unknown> = {
    collector: () => loadCollectorConfig(env),
    merger: () =>
      loadMergerConfig(env, (p) => {
        if (!(p in files)) throw new Error(`${p} is not mounted`);
        return files[p]!;
      }),
    gateway: () => loadGatewayConfig(env),
    firehose: () => loadFirehoseConfig(env),
    simulator: () => loadSimulatorConfig(env),
  };
  loaders[service]();
}

describe('the services serve the probe paths this test assumes', () => {
  it.each(Object.entries(SERVED))('%s', (_service, s) => {
    for (const p of s.paths.filter((x) => x !== '/metrics')) expect(src(s.file), `${s.file} serves ${p}`).toContain(`'${p}'`);
  });
});

// ---------------------------------------------------------------- Kubernetes

interface K8sDoc {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface Workload extends K8sDoc {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const K8S = 'deploy/k8s';
const kustomization = parse(src(join(K8S, 'kustomization.yaml'))) as { resources: string[]; namespace: string };
const docs: K8sDoc[] = kustomization.resources.flatMap((f) =>
  parseAllDocuments(src(join(K8S, f))).map((d) => {
    if (d.errors.length) throw new Error(`${f}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as K8sDoc;
  }),
);
const workloads = docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'StatefulSet');
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const envOf = (c: Container): Env => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? 'from-a-secret']));
const portNumber = (c: Container, port: string | number) => (typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort);
const serviceOf = (c: Container) => envOf(c)['BOOKFUSE_SERVICE'] as Service | undefined;
const bookfuse = workloads.flatMap((w) => w.spec.template.spec.containers.filter((c) => serviceOf(c)).map((c) => ({ w, c, service: serviceOf(c)! })));

describe('deploy/k8s (kustomize)', () => {
  it('parses every listed resource and runs NATS, two collector lines, mergers, gateways and firehoses', () => {
    expect(kustomization.namespace).toBe('bookfuse');
    expect(docs.length).toBeGreaterThan(10);
    const nats = workloads.find((w) => w.metadata.name === 'nats')!;
    expect(nats.kind).toBe('StatefulSet');
    expect(nats.spec).toMatchObject({ replicas: 3 });
    const replicas = (svc: Service) => bookfuse.filter((b) => b.service === svc).reduce((n, b) => n + ((b.w.spec as { replicas?: number }).replicas ?? 1), 0);
    for (const svc of ['collector', 'merger', 'gateway', 'firehose'] as const) expect(replicas(svc), svc).toBeGreaterThanOrEqual(2);
  });

  it('selects its own pods: workload selectors, Services and PodDisruptionBudgets match pod labels', () => {
    for (const w of workloads) expect(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), w.metadata.name).toBe(true);
    for (const s of byKind('Service')) {
      const spec = s.spec as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
      const pods = workloads.filter((w) => matches(spec.selector, w.spec.template.metadata.labels));
      expect(pods.length, `Service ${s.metadata.name} selects pods`).toBeGreaterThan(0);
      for (const p of spec.ports) for (const w of pods) expect(w.spec.template.spec.containers.some((c) => portNumber(c, p.targetPort) !== undefined), `${s.metadata.name} → ${p.targetPort}`).toBe(true);
    }
    const pdbs = byKind('PodDisruptionBudget');
    for (const w of workloads) {
      const pdb = pdbs.find((p) => matches((p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, w.spec.template.metadata.labels));
      expect(pdb, `a PodDisruptionBudget covers ${w.metadata.name}`).toBeDefined();
    }
  });

  it('probes every bookfuse container for readiness (/readyz) and liveness (/healthz) on the port it listens on', () => {
    expect(bookfuse.length).toBeGreaterThan(0);
    for (const { w, c, service } of bookfuse) {
      const env = envOf(c);
      const served = SERVED[service];
      expect(env[served.hostVar], `${w.metadata.name} binds all interfaces`).toBe('0.0.0.0');
      for (const [kind, probe] of [['readiness', c.readinessProbe], ['liveness', c.livenessProbe]] as const) {
        expect(probe?.httpGet, `${w.metadata.name} ${kind}`).toBeDefined();
        expect(served.paths).toContain(probe!.httpGet!.path);
        expect(portNumber(c, probe!.httpGet!.port), `${w.metadata.name} ${kind} port`).toBe(Number(env[served.portVar]));
      }
      expect(c.readinessProbe!.httpGet!.path).toBe('/readyz');
      expect(c.livenessProbe!.httpGet!.path).toBe('/healthz');
    }
  });

  it('names only variables of the service config schema, and the whole environment passes the service config loader', () => {
    const configMaps = Object.fromEntries(byKind('ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]));
    for (const { w, c, service } of bookfuse) {
      const known = schemaEnv(service);
      for (const name of Object.keys(envOf(c))) expect(known.has(name), `${w.metadata.name}: ${name} is in the ${service} schema`).toBe(true);
      // files mounted from ConfigMaps, by path, so the merger reads the groups it is given
      const files: Record<string, string> = {};
      for (const m of c.volumeMounts ?? []) {
        const cm = w.spec.template.spec.volumes?.find((v) => v.name === m.name)?.configMap;
        expect(cm && configMaps[cm.name], `${w.metadata.name}: volume ${m.name} is a ConfigMap in the kustomization`).toBeTruthy();
        for (const [key, body] of Object.entries(configMaps[cm!.name]!)) files[`${m.mountPath}/${key}`] = body;
      }
      expect(() => loadConfig(service, envOf(c), files), w.metadata.name).not.toThrow();
    }
    const merger = bookfuse.find((b) => b.service === 'merger')!;
    expect(envOf(merger.c)['CONSENSUS_CONFIG_FILE']).toBe('/etc/bookfuse/groups.json');
    expect(envOf(merger.c)['MERGER_LEASE_REPLICAS']).toBe('3');
    expect(bookfuse.filter((b) => b.service === 'collector').map((b) => envOf(b.c)['COLLECTOR_LINE'])).toEqual(['A', 'B']);
  });

  it('gives every container resource requests and limits, limits at least the requests', () => {
    const cpu = (v: string) => (v.endsWith('m') ? Number(v.slice(0, -1)) / 1000 : Number(v));
    const mem = (v: string) => Number(v.replace(/Mi$/, '')) * (v.endsWith('Gi') ? 1024 : 1) || Number(v.replace(/Gi$/, '')) * 1024;
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const r = c.resources;
        expect(r?.requests?.['cpu'] && r.requests['memory'] && r.limits?.['cpu'] && r.limits['memory'], `${w.metadata.name} resources`).toBeTruthy();
        expect(cpu(r!.limits!['cpu']!)).toBeGreaterThanOrEqual(cpu(r!.requests!['cpu']!));
        expect(mem(r!.limits!['memory']!)).toBeGreaterThanOrEqual(mem(r!.requests!['memory']!));
      }
    }
  });

  it('starts every service with the Node flags the demo and the benchmarks use (NODE_OPTIONS)', () => {
    for (const { w, c, service } of bookfuse) expect(envOf(c)['NODE_OPTIONS']?.split(' ') ?? [], w.metadata.name).toEqual(nodeArgsFor(service));
  });

  it('points NATS_URL at every node of the NATS StatefulSet, and the routes join all three', () => {
    const nodes = ['nats-0.nats:4222', 'nats-1.nats:4222', 'nats-2.nats:4222'];
    for (const { w, c } of bookfuse) expect(envOf(c)['NATS_URL']!.split(',').map((u) => u.replace('nats://', '')), w.metadata.name).toEqual(nodes);
    const conf = byKind('ConfigMap').find((c) => c.metadata.name === 'nats-config')!.data!['nats.conf']!;
    for (const i of [0, 1, 2]) expect(conf).toContain(`nats-route://nats-${i}.nats:6222`);
    expect(conf).toMatch(/jetstream/);
  });
});

// ---------------------------------------------------------------- compose

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Env;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

describe.each(['docker-compose.yml', 'deploy/compose.cluster.yml'])('%s', (file) => {
  const compose = parse(src(file), { merge: true }) as { services: Record<string, ComposeService> };
  const entries = Object.entries(compose.services);
  const bookfuseServices = entries.filter(([, s]) => s.environment?.['BOOKFUSE_SERVICE']);
  const natsServices = entries.filter(([, s]) => s.image?.startsWith('nats:'));

  it('checks every service health on a port and path it serves: /readyz (the simulator: /healthz)', () => {
    for (const [name, s] of bookfuseServices) {
      const service = s.environment!['BOOKFUSE_SERVICE'] as Service;
      const served = SERVED[service];
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/\w+)/.exec(s.healthcheck?.test.join(' ') ?? '');
      expect(url, `${name} has an HTTP healthcheck`).not.toBeNull();
      expect(Number(url![1]), `${name} healthcheck port`).toBe(Number(s.environment![served.portVar]));
      expect(url![2]).toBe(service === 'simulator' ? '/healthz' : '/readyz');
      expect(served.paths).toContain(url![2]);
      expect(s.environment![served.hostVar], `${name} binds all interfaces`).toBe('0.0.0.0');
    }
    for (const [name, s] of natsServices) expect(s.healthcheck?.test.join(' '), name).toContain('8222/healthz');
  });

  it('names only variables of each service config schema, with values its config loader accepts', () => {
    for (const [name, s] of bookfuseServices) {
      const service = s.environment!['BOOKFUSE_SERVICE'] as Service;
      const known = schemaEnv(service);
      for (const v of Object.keys(s.environment!)) expect(known.has(v), `${name}: ${v} is in the ${service} schema`).toBe(true);
      const env = Object.fromEntries(Object.entries(s.environment!).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/, '$1')]));
      expect(() => loadConfig(service, env), name).not.toThrow();
    }
  });

  it('starts every service with the Node flags the demo and the benchmarks use (NODE_OPTIONS)', () => {
    for (const [name, s] of bookfuseServices) expect(s.environment!['NODE_OPTIONS']?.split(' ') ?? [], name).toEqual(nodeArgsFor(s.environment!['BOOKFUSE_SERVICE']!));
  });

  it('waits for healthy NATS and gives every service every NATS node', () => {
    const natsHosts = natsServices.map(([n]) => `nats://${n}:4222`).sort();
    for (const [name, s] of bookfuseServices) {
      if (s.environment!['BOOKFUSE_SERVICE'] === 'simulator') continue;
      expect(s.environment!['NATS_URL']!.split(',').sort(), name).toEqual(natsHosts);
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(cond.condition).toBe('service_healthy');
      }
    }
  });
});

describe('deploy/compose.cluster.yml', () => {
  const compose = parse(src('deploy/compose.cluster.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  it('has the topology of demo --cluster: three NATS nodes in one cluster, two of each service, 3 liquidation replicas', () => {
    const count = (svc: string) => Object.values(compose.services).filter((s) => s.environment?.['BOOKFUSE_SERVICE'] === svc).length;
    for (const svc of ['collector', 'merger', 'gateway', 'firehose']) expect(count(svc), svc).toBe(2);
    const nats = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('nats:'));
    expect(nats.map(([n]) => n)).toEqual(['nats-1', 'nats-2', 'nats-3']);
    for (const [, s] of nats) {
      expect(s.command).toContain('-js');
      expect(s.command!.join(' ')).toContain('nats-route://nats-1:6222,nats-route://nats-2:6222,nats-route://nats-3:6222');
    }
    expect(nats.map(([, s]) => s.ports![0])).toEqual(['4241:4222', '4242:4222', '4243:4222']);
    const streamUsers = ['collector', 'merger', 'firehose'];
    for (const s of Object.values(compose.services)) if (streamUsers.includes(s.environment?.['BOOKFUSE_SERVICE'] ?? '')) expect(s.environment!['LIQ_REPLICAS']).toBe('3');
    const byService = (svc: string) => Object.values(compose.services).filter((s) => s.environment?.['BOOKFUSE_SERVICE'] === svc);
    expect(byService('collector').map((s) => s.environment!['COLLECTOR_LINE'])).toEqual(['A', 'B']);
    for (const m of byService('merger')) expect(m.environment!['MERGER_LEASE_REPLICAS']).toBe('3');
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []).map((p) => p.split(':')[0]);
    for (const p of ['9101', '9111', '9102', '9112', '8080', '8090', '8081', '8091', '9090']) expect(ports).toContain(p);
  });
});
