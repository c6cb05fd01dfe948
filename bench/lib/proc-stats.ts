/** CPU time and memory of a child process from /proc (Linux), for per-service cost figures. */
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ

export interface ProcSample {
  cpuS: number;
  rssMb: number;
  hwmMb: number;
}

export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuS, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Linux pressure-stall total for CPU ("some": µs during which at least one runnable task waited
 * for a CPU), or null where /proc/pressure is absent. Its growth over a run, divided by the run's
 * length, says how contended the machine was: latency figures mean little without it.
 */
export function cpuPressureUs(): number | null {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
