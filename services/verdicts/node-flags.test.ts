import { missingVerdictFlags, VERDICT_NODE_FLAGS } from './node-flags';

describe('missingVerdictFlags', () => {
  it('gives `callsentry verdict` every flag it was started without, and no other command any', () => {
    expect(missingVerdictFlags(['verdict'], [])).toEqual([...VERDICT_NODE_FLAGS]);
    expect(missingVerdictFlags(['verdict', '--config', 'x.yaml'], ['--enable-source-maps'])).toEqual([...VERDICT_NODE_FLAGS]);
    expect(missingVerdictFlags(['start'], [])).toEqual([]);
    expect(missingVerdictFlags([], [])).toEqual([]);
  });

  it("leaves the operator's own values alone, on the command line or in NODE_OPTIONS, so the relaunched process asks for nothing", () => {
    expect(missingVerdictFlags(['verdict'], [...VERDICT_NODE_FLAGS])).toEqual([]);
    expect(missingVerdictFlags(['verdict'], ['--v8-pool-size=4'])).toEqual(VERDICT_NODE_FLAGS.filter((f) => !f.startsWith('--v8-pool-size')));
    expect(missingVerdictFlags(['verdict'], ['--min-semi-space-size=4'], '--max_semi_space_size=8  --v8-pool-size=2')).toEqual([]);
  });
});
