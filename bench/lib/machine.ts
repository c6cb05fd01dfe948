/** Where a benchmark ran: read from the OS at run time, so every figure carries its machine. */
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gib: number;
  free_memory_gib: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: a busy machine means noisy figures */
  load_1m: number;
}

const GIB = 1024 ** 3;

export function describeMachine(): MachineInfo {
  const cpu = cpus();
  return {
    cpu_model: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory_gib: Math.round((10 * totalmem()) / GIB) / 10,
    free_memory_gib: Math.round((10 * freemem()) / GIB) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    load_1m: Math.round(100 * (loadavg()[0] ?? 0)) / 100,
  };
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpu_model}, ${m.cores} cores, ${m.memory_gib} GiB RAM, Node ${m.node}, ${m.os}, load ${m.load_1m} at start`;
}
