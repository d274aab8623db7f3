import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/ports';
import { followLog } from './log-follower';

describe('followLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'log-follower-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('reads only what is appended, whole lines, and starts over after truncation', async () => {
    const path = join(dir, 'turn.log');
    await writeFile(path, 'old line\n');
    const lines: string[] = [];
    const f = await followLog({ path, log: silentLogger, onLine: (l) => lines.push(l), pollMs: 60_000 });
    await appendFile(path, 'one\ntw');
    await f.poll();
    expect(lines).toEqual(['one']);
    await appendFile(path, 'o\n');
    await f.poll();
    expect(lines).toEqual(['one', 'two']);
    await truncate(path, 0);
    await f.poll();
    await appendFile(path, 'after restart\n');
    await f.poll();
    expect(lines).toEqual(['one', 'two', 'after restart']);
    await f.stop();
  });

  it('cuts an over-long line once and skips its rest', async () => {
    const path = join(dir, 'turn.log');
    const lines: string[] = [];
    const f = await followLog({ path, log: silentLogger, onLine: (l) => lines.push(l), pollMs: 60_000, maxLineBytes: 10 });
    await writeFile(path, 'x'.repeat(25));
    await f.poll();
    await appendFile(path, 'y'.repeat(25) + '\nshort\n');
    await f.poll();
    expect(lines).toEqual(['x'.repeat(10), 'short']);
    await f.stop();
  });
});
