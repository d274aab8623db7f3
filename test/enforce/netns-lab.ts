// Two network namespaces joined by a veth pair, with IPv4 and IPv6 addresses, and a UDP probe that
// counts what arrives. Names and addresses are random, so parallel runs do not collide.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface Lab {
  src: string;
  dst: string;
  srcIp4: string;
  dstIp4: string;
  srcIp6: string;
  dstIp6: string;
  destroy(): void;
}

const HOW = 'Run `npm run test:all` as root: it installs infra/apt-packages.txt (nftables, conntrack).';

/** Fails with what is missing and how to get it. */
export function requireRootAndTools(): void {
  if (process.getuid?.() !== 0) throw new Error(`the nftables integration test needs root for network namespaces and nft. ${HOW}`);
  for (const [bin, arg] of [['ip', '-V'], ['nft', '--version'], ['conntrack', '--version']]) {
    const r = spawnSync(bin, [arg], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`\`${bin}\` is missing or broken (${r.error?.message ?? r.stderr}). ${HOW}`);
  }
}

export function sh(args: string[]): string {
  const [cmd, ...rest] = args;
  const r = spawnSync(cmd, rest, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

export function createLab(): Lab {
  const id = randomBytes(3).toString('hex');
  const src = `cs-src-${id}`;
  const dst = `cs-dst-${id}`;
  const a = randomInt(256);
  const b = randomInt(64);
  const lab: Lab = {
    src,
    dst,
    srcIp4: `10.249.${a}.${4 * b + 1}`,
    dstIp4: `10.249.${a}.${4 * b + 2}`,
    srcIp6: `fd00:249:${a.toString(16)}:${b.toString(16)}::1`,
    dstIp6: `fd00:249:${a.toString(16)}:${b.toString(16)}::2`,
    destroy() {
      // deleting a namespace takes its veth end, and so the pair, with it
      for (const ns of [src, dst]) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
  try {
    sh(['ip', 'netns', 'add', src]);
    sh(['ip', 'netns', 'add', dst]);
    sh(['ip', 'link', 'add', `csv${id}a`, 'netns', src, 'type', 'veth', 'peer', 'name', `csv${id}b`, 'netns', dst]);
    for (const [ns, dev, v4, v6] of [
      [src, `csv${id}a`, lab.srcIp4, lab.srcIp6],
      [dst, `csv${id}b`, lab.dstIp4, lab.dstIp6],
    ]) {
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${v4}/30`, 'dev', dev]);
      // nodad: the address is usable at once instead of after duplicate address detection
      sh(['ip', '-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
  } catch (err) {
    lab.destroy();
    throw err;
  }
  return lab;
}

const RECEIVER = `
const s = require('dgram').createSocket(process.argv[1]);
let n = 0;
s.on('message', () => n++);
s.bind(Number(process.argv[2]), process.argv[3], () => console.log('ready'));
process.stdin.on('end', () => { console.log(n); process.exit(0); });
process.stdin.resume();
`;

const SENDER = `
const s = require('dgram').createSocket(process.argv[1]);
const [port, addr, count, gap] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
let i = 0;
const next = () => (i++ < count ? s.send('probe', port, addr, () => setTimeout(next, gap)) : s.close());
next();
`;

export interface ProbeOptions {
  family: 4 | 6;
  count: number;
  /** pause between packets */
  gapMs: number;
}

/** Sends `count` UDP datagrams from src to dst and resolves with how many the receiver got. */
export async function udpProbe(lab: Lab, o: ProbeOptions): Promise<number> {
  const port = 20_000 + randomInt(20_000);
  const [type, addr] = o.family === 4 ? ['udp4', lab.dstIp4] : ['udp6', lab.dstIp6];
  const receiver = spawn('ip', ['netns', 'exec', lab.dst, process.execPath, '-e', RECEIVER, type, String(port), addr], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    receiver.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    receiver.on('exit', (code) => reject(new Error(`UDP receiver exited (${code}) before it was ready`)));
  });
  sh(['ip', 'netns', 'exec', lab.src, process.execPath, '-e', SENDER, type, String(port), addr, String(o.count), String(o.gapMs)]);
  await new Promise((r) => setTimeout(r, 300)); // the last datagrams are in flight on a veth: microseconds, give it plenty
  const done = new Promise<void>((resolve) => receiver.on('exit', () => resolve()));
  receiver.stdin.end();
  await done;
  const n = Number(out.trim().split('\n').pop());
  if (!Number.isInteger(n)) throw new Error(`UDP receiver printed ${JSON.stringify(out)}`);
  return n;
}
