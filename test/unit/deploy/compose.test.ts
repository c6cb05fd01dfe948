/**
 * No Docker engine runs on the machines that test bookfuse, so the deployment files are checked
 * here: the compose file wires NATS with JetStream and every service to a real subcommand of the
 * image, and the Dockerfile is multi-stage, non-root and builds from paths that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  build?: { dockerfile: string; context: string };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
const cli = readFileSync('services/cli/main.ts', 'utf8');

describe('docker-compose.yml', () => {
  it('runs NATS with JetStream and a persistent store', () => {
    const nats = compose.services['nats']!;
    expect(nats.image).toMatch(/^nats:/);
    expect(nats.command).toContain('-js');
    expect(nats.command).toContain('-sd');
  });

  it('runs the four services by default and the simulator only under the sim profile', () => {
    for (const name of ['collector', 'merger', 'gateway', 'firehose']) {
      const s = compose.services[name]!;
      expect(s.profiles, name).toBeUndefined();
      expect(s.environment?.['BOOKFUSE_SERVICE']).toBe(name);
      expect(s.environment?.['NATS_URL']).toBe('nats://nats:4222');
    }
    expect(compose.services['simulator']!.profiles).toEqual(['sim']);
    expect(compose.services['simulator']!.environment?.['BOOKFUSE_SERVICE']).toBe('simulator');
  });

  it('names only subcommands the bookfuse CLI has, and publishes the port each service listens on', () => {
    const portVar: Record<string, string> = { collector: 'COLLECTOR_PORT', merger: 'MERGER_PORT', gateway: 'GATEWAY_PORT', firehose: 'FIREHOSE_PORT', simulator: 'SIM_PORT' };
    for (const [name, s] of Object.entries(compose.services)) {
      if (name === 'nats') continue;
      expect(cli).toContain(`'${s.environment!['BOOKFUSE_SERVICE']}'`);
      expect(s.build?.dockerfile).toBe('deploy/Dockerfile');
      const port = s.environment![portVar[name]!];
      expect(s.ports, name).toContain(`${port}:${port}`);
    }
  });
});

describe('deploy/Dockerfile', () => {
  it('is multi-stage, runs as a non-root user and execs node so SIGTERM reaches the service', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/exec node dist\/services\/cli\/main\.js/);
    expect(dockerfile).toMatch(/^ARG SERVICE=/m);
  });

  it('copies only paths that exist', () => {
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \.\/?\S*$/gm)) {
      for (const p of m[1]!.split(/\s+/)) expect(existsSync(p), p).toBe(true);
    }
  });
});
