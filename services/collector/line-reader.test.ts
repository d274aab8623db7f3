import { Readable } from 'node:stream';
import { readLines, type LineEvent } from './line-reader';

async function collect(chunks: string[], max: number): Promise<LineEvent[]> {
  const out: LineEvent[] = [];
  for await (const e of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(e);
  return out;
}

describe('readLines', () => {
  it('joins lines split across chunks and skips blank lines', async () => {
    const got = await collect(['{"a":', '1}\n\n{"b":2}\r\n{"c"', ':3}'], 100);
    expect(got).toEqual([
      { kind: 'line', text: '{"a":1}', lineNo: 1 },
      { kind: 'line', text: '{"b":2}', lineNo: 3 },
      { kind: 'line', text: '{"c":3}', lineNo: 4 },
    ]);
  });

  it('reports an oversized line without buffering it and carries on', async () => {
    const big = 'x'.repeat(50);
    const got = await collect(['ok1\n', big.slice(0, 20), big.slice(20) + '\nok2\n', big], 30);
    expect(got.map((e) => e.kind)).toEqual(['line', 'oversized', 'line', 'oversized']);
    expect(got[1]).toMatchObject({ kind: 'oversized', bytes: 50, lineNo: 2 });
    expect(got[2]).toMatchObject({ text: 'ok2', lineNo: 3 });
  });
});
