// Driving infra/lab/edge-lab.sh from a test: prerequisites, the script's commands, its background
// peers (phone, flood, forger), the edge's packet counters, sipp's statistics and the live sets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSetElements } from '../../services/adapters/nftables/nft-json';
import { hostCommands } from '../../services/adapters/nftables/nft-runner';

export const SCRIPT = join(__dirname, '../../infra/lab/edge-lab.sh');
export const RUN_DIR = process.env.CALLSENTRY_EDGE_LAB_DIR ?? '/tmp/callsentry-edge-lab';
export const EDGE_NS = 'cs-edge-edge';
export const HOST_IP = '10.250.71.1';
export const EDGE_IP = '10.250.70.1';
export const LEGIT_IP = '10.250.70.10';
/** the callee, the trunk Kamailio routes calls to: the lab's carrier */
export const CARRIER_IP = '10.250.70.20';
export const ATTACKER_IP = '10.250.70.66';
export const AUTH_KEY = 'callsentry-lab-key';

const HOW = 'Run it as root after `npm run test:all` has installed infra/apt-packages.txt and started Kafka (or `npm run kafka:start`).';

/** Fails with what is missing and how to get it. */
export function requireEdgeLab(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces, nftables, raw sockets)');
  for (const [bin, pkg] of [
    ['kamailio', 'kamailio'],
    ['sipp', 'sip-tester'],
    ['svcrack', 'sipvicious'],
    ['nft', 'nftables'],
    ['jq', 'jq'],
    ['python3', 'python3'],
  ]) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status !== 0) missing.push(`\`${bin}\` (Debian package ${pkg})`);
  }
  if (missing.length) throw new Error(`The edge lab needs ${missing.join(', ')}. ${HOW}`);
}

export function lab(...args: string[]): string {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, CALLSENTRY_HEP_AUTH_KEY: AUTH_KEY }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`edge-lab.sh ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** A lab command that runs in the foreground (the script execs the tool, so this pid is the tool's). */
export class Peer {
  readonly child: ChildProcess;
  private out = '';
  exited = false;

  constructor(
    readonly name: string,
    args: string[],
  ) {
    this.child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CALLSENTRY_HEP_AUTH_KEY: AUTH_KEY } });
    // sipp redraws its screen to stdout: keep only the tail, for a failure message
    const keep = (b: Buffer) => void (this.out = (this.out + b.toString()).slice(-4000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('exit', () => void (this.exited = true));
  }

  get tail(): string {
    return this.out;
  }

  /** SIGTERM (sipp writes its final statistics), bounded wait, then SIGKILL. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }

  wait(limitMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), limitMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

export interface EdgeCounters {
  /** UDP/5060 packets per source that arrived at the edge (before callsentry's chains) */
  arrived: { attacker: number; legit: number };
  /** ... and that got past them, to Kamailio */
  reached: { attacker: number; legit: number };
}

export function counters(): EdgeCounters {
  return JSON.parse(lab('counters')) as EdgeCounters;
}

export interface CallStats {
  successful: number;
  failed: number;
}

/** The legit phone's cumulative call counts, from the statistics file sipp rewrites every second. */
export function legitCalls(): CallStats {
  const file = join(RUN_DIR, 'legit-stats.csv');
  if (!existsSync(file)) return { successful: 0, failed: 0 };
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  if (lines.length < 2) return { successful: 0, failed: 0 };
  const header = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const col = (name: string) => Number(last[header.indexOf(name)]);
  return { successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)') };
}

const edgeNft = hostCommands({ netns: EDGE_NS });

/** Addresses in one of callsentry's sets at the edge (e.g. block_addr4, limit_addr4). */
export async function setMembers(table: string, set: string): Promise<string[]> {
  return parseSetElements(await edgeNft.nft(['-j', 'list', 'set', 'inet', table, set])).map((e) => e.text);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an async condition until it holds or the limit passes; resolves with the time it held, or undefined. */
export async function pollUntil(done: () => Promise<boolean> | boolean, limitMs: number, everyMs = 250): Promise<number | undefined> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await done()) return Date.now();
    if (Date.now() > until) return undefined;
    await sleep(everyMs);
  }
}
