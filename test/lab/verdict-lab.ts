// Driving infra/lab/verdict-lab.sh from a test: prerequisites, the script's commands, the phones
// (sipp in the foreground, to completion) and what their message logs say about each call.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCRIPT = join(__dirname, '../../infra/lab/verdict-lab.sh');
export const RUN_DIR = process.env.CALLSENTRY_VERDICT_LAB_DIR ?? '/tmp/callsentry-verdict-lab';
export const HOST_IP = '10.252.81.1';
export const PROXY_IP = '10.252.80.1';
export const AUTH_KEY = 'callsentry-lab-key';

export function requireVerdictLab(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces)');
  for (const [bin, pkg] of [
    ['kamailio', 'kamailio'],
    ['sipp', 'sip-tester'],
    ['ss', 'iproute2'],
  ]) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status !== 0) missing.push(`\`${bin}\` (Debian package ${pkg})`);
  }
  if (missing.length) throw new Error(`The verdict lab needs ${missing.join(', ')}. Run it as root after \`npm run test:all\` has installed infra/apt-packages.txt.`);
}

export function lab(...args: string[]): string {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, CALLSENTRY_HEP_AUTH_KEY: AUTH_KEY }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`verdict-lab.sh ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

export interface PhoneRun {
  exit: number | null;
  /** calls whose second INVITE got 200 (answered by the carrier) */
  answered: number;
  /** calls that got 603 Decline, and the Reason texts they carried */
  declined: number;
  reasons: string[];
  /** calls that got 503 (fail-closed) */
  unavailable: number;
  tail: string;
}

/** Runs a phone to completion: `phone legit|atk NUMBER CALLS PERIOD_MS TALK_MS`. */
let runs = 0;

export function phone(who: 'legit' | 'atk', number: string, calls: number, periodMs: number, talkMs: number): Promise<PhoneRun> {
  // a message log of its own per run
  const tag = `${who}-${process.pid}-${++runs}`;
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, 'phone', who, number, String(calls), String(periodMs), String(talkMs), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on('data', (d) => (out = (out + d.toString()).slice(-4000)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ exit: code, ...outcomes(join(RUN_DIR, `${tag}-messages.log`)), tail: out.slice(-1500) });
    });
  });
}

/** Final answers to the authenticated INVITE (CSeq 2) in a sipp message log, once per Call-ID. */
export function outcomes(file: string): Omit<PhoneRun, 'exit' | 'tail'> {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const seen = new Map<string, { status: number; reason?: string }>();
  const blocks = text.split(/-{20,}[^\n]*\n/);
  // only calls this run made: a port reused by the next run may still get an earlier call's retransmissions
  const mine = new Set(blocks.filter((b) => /message sent[^\n]*\n\s*INVITE /.test(b)).map((b) => /^Call-ID:\s*(\S+)/im.exec(b)?.[1]));
  for (const block of blocks) {
    const m = /message received[^\n]*\n\s*\n?(SIP\/2\.0 (\d{3})[^\n]*)\n([\s\S]*)/.exec(block);
    if (!m) continue;
    const headers = m[3];
    if (!/^CSeq:\s*2 INVITE/im.test(headers)) continue;
    const status = Number(m[2]);
    if (status < 200) continue;
    const callId = /^Call-ID:\s*(\S+)/im.exec(headers)?.[1] ?? '';
    if (!mine.has(callId)) continue;
    seen.set(callId, { status, reason: /^Reason:\s*(.*)$/im.exec(headers)?.[1]?.trim() });
  }
  const all = [...seen.values()];
  return {
    answered: all.filter((o) => o.status === 200).length,
    declined: all.filter((o) => o.status === 603).length,
    reasons: [...new Set(all.filter((o) => o.status === 603).map((o) => o.reason ?? '(none)'))],
    unavailable: all.filter((o) => o.status === 503).length,
  };
}

/** INVITEs for these numbers that reached the carrier (its own message log). */
export function carrierInvites(pattern: string): number {
  return Number(lab('carrier-invites', pattern).trim());
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pollUntil(done: () => Promise<boolean> | boolean, limitMs: number, everyMs = 250): Promise<boolean> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}
