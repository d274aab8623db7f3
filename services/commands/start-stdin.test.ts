// `tail -F flows.ndjson | callsentry start --input -`: records on a pipe that stays open are
// processed as they come, not when 500 have queued or the pipe closes.
import { PassThrough } from 'node:stream';
import { main } from '../cli';
import { generate } from '../collector/synthetic';
import type { CommandIo } from './io';

it('start --input - detects a flood from a pipe that is still open (fewer records than a batch)', async () => {
  // 180 INVITEs in 3 s from one source: a flood finding, and far fewer records than the batch of 500
  const flood = generate({ startMs: Date.parse('2026-05-01T08:00:00Z'), seconds: 4, phones: 0, callsPerMinute: 0, seed: 3, attackers: [{ ip: '203.0.113.77', method: 'INVITE', ratePerSecond: 60, startSecond: 0, durationSeconds: 3 }] });
  expect(flood.length).toBeLessThan(500);
  const stdin = new PassThrough();
  let stop!: () => void;
  let sawFinding!: () => void;
  const finding = new Promise<void>((r) => (sawFinding = r));
  const out: string[] = [];
  const io: CommandIo = {
    out: (l) => {
      out.push(l);
      if (l.includes('"kind":"finding"') && l.includes('"detector":"sip/request-flood"')) sawFinding();
    },
    err: () => undefined,
    stdin,
    env: { CALLSENTRY_API_LISTEN: 'off', CALLSENTRY_METRICS_LISTEN: 'off', CALLSENTRY_CONSOLE_LISTEN: 'off', CALLSENTRY_VERDICT_HTTP_LISTEN: 'off', CALLSENTRY_VERDICT_SIP_LISTEN: 'off' },
    isTty: false,
    stopSignal: new Promise<void>((r) => (stop = r)),
  };
  const running = main(['start', '--input', '-', '--json'], io);
  stdin.write(flood.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // the pipe stays open: the finding must come while it is (the test times out otherwise)
  await finding;
  stop();
  stdin.end();
  expect(await running).toBe(0);
  expect(out.map((l) => JSON.parse(l)).find((l) => l.kind === 'finding' && l.detector === 'sip/request-flood')).toMatchObject({ detector: 'sip/request-flood', key: { value: '203.0.113.77' } });
}, 15_000);
