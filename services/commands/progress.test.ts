import { Writable } from 'node:stream';
import { Progress, progressWanted } from './progress';

function terminal() {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY: true, columns: 120 },
  );
  return { stream, text: () => chunks.join('') };
}

describe('progress bar', () => {
  it('draws on a terminal and ends at 100%', () => {
    const t = terminal();
    const p = new Progress({ stream: t.stream, isTty: true, env: {} }, 1000, 'capture.pcap');
    p.update(500, '10 SIP messages');
    p.update(5000, '20 SIP messages');
    p.finish();
    expect(t.text()).toMatch(/capture\.pcap \[#{30}\] 100% 20 SIP messages/);
  });

  it('writes nothing into a pipe or a CI log', () => {
    for (const target of [{ isTty: false, env: {} }, { isTty: true, env: { CI: 'true' } }]) {
      const t = terminal();
      const p = new Progress({ stream: t.stream, ...target }, 1000, 'x');
      p.update(1000);
      p.finish();
      expect(t.text()).toBe('');
      expect(progressWanted({ stream: t.stream, ...target })).toBe(false);
    }
  });
});
