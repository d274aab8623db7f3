// Latency as the wire sees it: a loopback capture (tcpdump, kernel timestamps) while the load runs,
// then every answer paired with its request by tshark. This is the time the service held a request,
// request packet to answer packet, without the load generator's own scheduling delays (sipp stamps
// its times with a clock it reads once per loop, 4 ms apart at 5,000 calls/s; wrk's include its
// threads waiting for a CPU the service also uses). Needs tcpdump, tshark and root; else undefined.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

export interface Latencies {
  answers: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  /** every request-to-answer time, ascending (ms): rounds are pooled from these */
  times: number[];
}

export function canCapture(): boolean {
  const has = (bin: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status === 0;
  return process.getuid?.() === 0 && has('tcpdump') && has('tshark');
}

export class WireCapture {
  private readonly file: string;
  private readonly child: ChildProcess;
  private readonly started: Promise<void>;

  constructor(dir: string, name: string, filter: string) {
    this.file = path.join(dir, `${name}.pcap`);
    this.child = spawn('tcpdump', ['-i', 'lo', '-s', '0', '-B', '32768', '-w', this.file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
    // tcpdump says "listening on lo" once the capture runs
    this.started = new Promise((resolve) => {
      let said = '';
      this.child.stderr!.on('data', (d) => {
        said += d.toString();
        if (said.includes('listening on')) resolve();
      });
      setTimeout(resolve, 3000).unref();
    });
  }

  ready(): Promise<void> {
    return this.started;
  }

  /** Stops the capture; its file is read later (`read`), once nothing is being timed. */
  async stop(): Promise<void> {
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGINT');
    await exited;
  }

  /**
   * The request-to-answer times in the capture. Blocking, and it fills the heap with tshark's output:
   * call it after every round, or the service under test pays for it in the next one.
   */
  read(kind: 'http' | 'sip'): Latencies | undefined {
    const times = kind === 'http' ? httpTimes(this.file) : sipTimes(this.file);
    rmSync(this.file, { force: true });
    return summarise(times);
  }
}

function tshark(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), ...(filter ? ['-Y', filter] : [])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

/** tshark's own pairing of each HTTP/1.1 response with its request (http.time, seconds). */
function httpTimes(file: string): number[] {
  return tshark(file, ['http.time'], 'http.time').map(([t]) => Number(t) * 1000);
}

/** Each INVITE's first final answer by Call-ID, in ms. */
function sipTimes(file: string): number[] {
  const sent = new Map<string, number>();
  const out: number[] = [];
  for (const [at, callId, method, status] of tshark(file, ['frame.time_epoch', 'sip.Call-ID', 'sip.Method', 'sip.Status-Code'], 'sip')) {
    if (method === 'INVITE') sent.set(callId, Number(at));
    else if (status && sent.has(callId)) {
      out.push((Number(at) - sent.get(callId)!) * 1000);
      sent.delete(callId);
    }
  }
  return out;
}

export function summarise(ms: number[]): Latencies | undefined {
  if (ms.length === 0) return undefined;
  ms.sort((a, b) => a - b);
  const q = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(ms.length * p))] * 1000) / 1000;
  return { answers: ms.length, p50_ms: q(0.5), p90_ms: q(0.9), p99_ms: q(0.99), p999_ms: q(0.999), times: ms };
}
