#!/usr/bin/env node
/**
 * The `bookfuse` command: one subcommand per part, each configured by the environment.
 *   bookfuse collector|merger|gateway|firehose|simulator   run one service
 *   bookfuse colocated                                      a collector and a merger in one process
 *   bookfuse demo [--live] [--cluster] [--verbose]          everything on one machine
 *   bookfuse replay <capture.ndjson> --venue <id> [--depth N] [--instruments <file>] [--json]
 *   bookfuse record --venue <id> --symbols A,B --out file.ndjson [--seconds N]
 *   bookfuse watch <SYMBOL>                                 live top of book in the terminal
 */
import { isBookfuseError } from '../../libs/core/index.js';
import { commonSchema, readEnv } from '../../libs/config/index.js';
import { createLogger, runService } from '../../libs/obs/index.js';
import { UsageError } from './args.js';

const SERVICES = ['collector', 'merger', 'colocated', 'gateway', 'firehose', 'simulator'] as const;

const USAGE = `usage: bookfuse <command>
  collector | merger | gateway | firehose | simulator   run one service (configured by environment variables)
  colocated                       a collector and a merger in one process, one NATS hop less (both services' variables)
  demo [--live] [--cluster] [--verbose]   run everything on one machine (simulated venues unless --live; --cluster: 3 NATS nodes, two of each service)
  replay <capture.ndjson> --venue <id> [--depth N] [--instruments <file>] [--json]
  record --venue <id> --symbols A,B --out file.ndjson [--seconds N]
  watch <SYMBOL>                  live consensus top of book (GATEWAY_URL, BOOKFUSE_API_KEY)
`;

interface Running {
  stop(): Promise<void>;
  listening: Record<string, string>;
}

async function runOne(name: (typeof SERVICES)[number]): Promise<void> {
  // colocated is two services composed, so it lives with the cli (the one place that may load both)
  const mod = (await import(name === 'colocated' ? './colocated.js' : `../${name}/main.js`)) as { main(env: NodeJS.ProcessEnv): Promise<Running> };
  // The one signal and fatal-error handling of every service (libs/obs/shutdown.ts), from the
  // first moment: a SIGTERM during start-up stops what has started.
  const { logLevel } = readEnv({ logLevel: commonSchema.logLevel }, process.env);
  const log = createLogger(name, logLevel);
  const running = await runService(mod.main(process.env), { log, exit: (code) => process.exit(code) });
  process.stderr.write(`bookfuse ${name}: ${Object.entries(running.listening).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}

async function run(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  if ((SERVICES as readonly string[]).includes(cmd ?? '')) {
    await runOne(cmd as (typeof SERVICES)[number]);
    return undefined; // keeps running until a signal
  }
  switch (cmd) {
    case 'demo':
      return (await import('./demo.js')).demo(rest, process.env);
    case 'replay':
      return (await import('./replay.js')).replay(rest);
    case 'record':
      return (await import('./record.js')).record(rest, process.env);
    case 'watch': {
      // resolved at run time: the terminal watcher lives beside the client library
      const watchModule = './watch.js';
      const m = (await import(watchModule)) as { watch(args: string[], env: NodeJS.ProcessEnv): Promise<number> };
      return m.watch(rest, process.env);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    } else if (isBookfuseError(e)) {
      process.stderr.write(`bookfuse: ${e.code}: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`bookfuse: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
